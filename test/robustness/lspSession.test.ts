import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../server/src/core/analyze';
import { settingsFrom } from '../../server/src/settings';
import { toDiagnostic } from '../../server/src/toLsp';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';
import { noteWithoutShared, sharedPath } from '../support/shared';

/*
 * Issue 7, server level: a long random session (fixed seed) over a real LSP connection to
 * `node dist/server.js --stdio`, once as a pull-diagnostics client (what vscode-languageclient 11
 * does) and once as a push-only one (Neovim 0.7): opens, incremental edits of every shape, hovers,
 * inlay hints, symbols, pulls, closes and configuration changes, on four real captures at once.
 * The server must answer every request, never exit, and end with diagnostics equal to a fresh
 * analysis of each document's final text under the final settings. Counts go to the test output.
 */

const SEED = Number(process.env.LSP_SESSION_SEED ?? 7);
const STEPS = Number(process.env.LSP_SESSION_STEPS ?? 300);

const DOCS = [
  { uri: 'file:///session/seed.txt', file: path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt') },
  {
    uri: 'file:///session/seed.nv.tcpdump',
    file: path.join(REPO_ROOT, 'test', 'fixtures', 'seed-4x', 'seed-firewall-rst.nv.txt'),
  },
  {
    uri: 'file:///session/genuine.nvve.tcpdump',
    file: path.join(REPO_ROOT, 'test', 'fixtures', 'seed-4x', 'seed-genuine-rst.nvve.txt'),
  },
  { uri: 'file:///session/corpus.tcpdump', file: sharedPath('corpus', 'regen', 'bgp-4byte-asn.nv.txt') },
]
  .filter((d) => existsSync(d.file))
  .map((d) => ({ ...d, text: readFileSync(d.file, 'utf8') }));
const LINES = DOCS.flatMap((d) => d.text.split('\n')).filter((l) => l.length > 0);

/** Small deterministic generator (mulberry32): the session replays exactly from its seed. */
function random(seed: number): {
  int: (lo: number, hi: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  chance: (p: number) => boolean;
} {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return { int, pick: (xs) => xs[int(0, xs.length - 1)], chance: (p) => next() < p };
}

const SETTINGS: Record<string, unknown>[] = [
  {},
  { minimumConfidence: 'high' },
  { minimumConfidence: 'medium', initialTtls: [64, 128, 255] },
  { initialTtls: [60, 'x', 300, 64] },
  { enable: false },
  { inlayHints: { enable: false }, minimumConfidence: 'nonsense' },
  { spreadBaseline: { weakStepHops: 0, farSourceHops: 1 } },
];

const normalise = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

function expectedDiagnostics(uri: string, text: string, settings: Record<string, unknown>): unknown {
  const s = settingsFrom(settings, 'en');
  return normalise(s.enable ? analyze(text, s.options).findings.map((f) => toDiagnostic(f, uri, 'en')) : []);
}

/** Pushes come after the debounce: the one for the document's current version must equal a fresh analysis. */
async function expectPushed(client: LspTestClient, uri: string, doc: TextDocument, when: string): Promise<void> {
  const want = JSON.stringify(expectedDiagnostics(uri, doc.getText(), client.settings));
  const got = await client
    .diagnosticsFor(uri, (d, p) => p.version === doc.version && JSON.stringify(normalise(d)) === want, 20_000)
    .catch(() => undefined);
  assert.ok(got, `${uri} ${when}: the pushed diagnostics for version ${doc.version} never equalled a fresh analysis`);
}

async function runSession(mode: 'pull' | 'push'): Promise<void> {
  const rng = random(SEED + (mode === 'pull' ? 0 : 1));
  const client = new LspTestClient('stdio');
  const counts: Record<string, number> = {};
  const bump = (k: string): void => void (counts[k] = (counts[k] ?? 0) + 1);
  const open = new Map<string, TextDocument>();
  try {
    const capabilities =
      mode === 'pull'
        ? {
            textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: { dynamicRegistration: false } },
            workspace: {
              configuration: true,
              diagnostics: { refreshSupport: true },
              inlayHint: { refreshSupport: true },
            },
          }
        : {};
    const init = await client.initialize('en', capabilities);
    assert.equal(
      (init.capabilities as Record<string, unknown>).diagnosticProvider !== undefined,
      mode === 'pull',
      'pull offered exactly to pull clients',
    );

    for (let step = 0; step < STEPS; step++) {
      const closed = DOCS.filter((d) => !open.has(d.uri));
      const action =
        open.size === 0
          ? 'open'
          : rng.pick([
              'open',
              'close',
              'edit',
              'edit',
              'edit',
              'edit',
              'burst',
              'hover',
              'hover',
              'hints',
              'symbols',
              'pull',
              'config',
              'lens',
            ]);
      const uri = rng.pick([...open.keys()]);
      if (action === 'open' && closed.length > 0) {
        const d = rng.pick(closed);
        open.set(d.uri, TextDocument.create(d.uri, 'tcpdump', 1, d.text));
        await client.open(d.uri, d.text, 1);
        bump('opens');
      } else if (action === 'close' && open.size > 2) {
        open.delete(uri);
        await client.close(uri);
        bump('closes');
      } else if (action === 'edit' || action === 'burst') {
        // A burst sends several edits in one didChange, like a multi-cursor edit or a paste.
        const doc = open.get(uri)!;
        const changes = [];
        let text = doc.getText();
        for (let n = action === 'burst' ? rng.int(2, 5) : 1; n > 0; n--) {
          const start = rng.int(0, text.length);
          const end = Math.min(text.length, start + rng.pick([0, 0, 1, 5, 40, 200, 2000]));
          const insert = rng.pick([
            '',
            '\n',
            '\r\n',
            '\r',
            ' ',
            'R',
            'ttl 1',
            '0',
            `${rng.pick(LINES)}\n`,
            rng.pick(LINES),
            rng.pick(LINES).slice(0, rng.int(0, 60)),
            '\u0000',
            'é',
          ]);
          const scratch = TextDocument.create(uri, 'tcpdump', 0, text);
          const range = { start: scratch.positionAt(start), end: scratch.positionAt(end) };
          changes.push({ range, text: insert });
          text = text.slice(0, scratch.offsetAt(range.start)) + insert + text.slice(scratch.offsetAt(range.end));
        }
        const next = TextDocument.update(doc, changes, doc.version + 1);
        open.set(uri, next);
        await client.change(uri, next.version, changes);
        bump(action === 'burst' ? 'multi-change edits' : 'edits');
      } else if (action === 'hover') {
        const doc = open.get(uri)!;
        const line = rng.int(0, doc.lineCount);
        await client.hover(uri, line, rng.int(0, 80));
        bump('hovers');
      } else if (action === 'hints') {
        const doc = open.get(uri)!;
        const from = rng.int(0, doc.lineCount);
        const hints = await client.inlayHints(uri, from, from + rng.int(0, 50));
        assert.ok(Array.isArray(hints));
        bump('inlay hint requests');
      } else if (action === 'symbols') {
        assert.ok(Array.isArray(await client.documentSymbols(uri)));
        bump('symbol requests');
      } else if (action === 'lens') {
        assert.ok(
          Array.isArray(await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })),
        );
        bump('code lens requests');
      } else if (action === 'pull' && mode === 'pull') {
        const report = await client.pullDiagnostics(uri);
        assert.equal(report.kind, 'full');
        assert.equal(report.resultId, String(open.get(uri)!.version), 'pulled diagnostics are for the latest version');
        assert.deepStrictEqual(
          normalise(report.items),
          expectedDiagnostics(uri, open.get(uri)!.getText(), client.settings),
          `step ${step}: pulled diagnostics differ from a fresh analysis`,
        );
        bump('pulls checked against a fresh analysis');
      } else if (action === 'pull') {
        await expectPushed(client, uri, open.get(uri)!, `step ${step}`);
        bump('pushes checked against a fresh analysis');
      } else if (action === 'config') {
        await client.changeConfiguration(rng.pick(SETTINGS));
        bump('configuration changes');
      }
      assert.ok(!client.exited, `server exited at step ${step}: ${client.stderr}`);
    }

    // The end state: every open document's diagnostics equal a fresh analysis of its final text.
    for (const [uri, doc] of open) {
      const want = expectedDiagnostics(uri, doc.getText(), client.settings);
      if (mode === 'pull') {
        const report = await client.pullDiagnostics(uri);
        assert.deepStrictEqual(
          normalise(report.items),
          want,
          `${uri}: pulled diagnostics differ from a fresh analysis`,
        );
      } else {
        await expectPushed(client, uri, doc, 'at the end');
      }
      bump('documents checked against a fresh analysis');
    }
    assert.ok(!client.exited, 'the server is still running');
    if (mode === 'pull') {
      assert.ok(
        (client.serverRequests.get('workspace/diagnostic/refresh') ?? 0) > 0 || !counts['configuration changes'],
        'settings changes ask the client to pull again',
      );
      assert.equal(client.published.length, 0, 'a pull client gets no pushed diagnostics');
    }
    console.log(
      `      ${mode} client, seed ${SEED}, ${STEPS} steps survived: ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(
          ', ',
        )}; ${client.published.length} publishes, server requests ${JSON.stringify(Object.fromEntries(client.serverRequests))}`,
    );
  } finally {
    await client.shutdown();
  }
}

describe('a long random LSP session on several documents (node dist/server.js --stdio, fixed seed)', function () {
  this.timeout(180_000);
  noteWithoutShared('a corpus document in the session', ['corpus', 'regen', 'bgp-4byte-asn.nv.txt']);

  it('pull-diagnostics client: every request answered, final diagnostics equal a fresh analysis', async () => {
    await runSession('pull');
  });

  it('push-only client: every request answered, final diagnostics equal a fresh analysis', async () => {
    await runSession('push');
  });
});
