import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, REPO_ROOT, messageOf } from '../support/lspClient';

const fixture = (name: string): string => readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', name), 'utf8');
const SEED = fixture('seed-firewall-rst.txt');
const SEED_URI = 'file:///captures/seed-firewall-rst.txt';

const warnings = (d: Diagnostic[]): Diagnostic[] => d.filter((x) => x.severity === 2);

function hoverText(h: { contents: unknown } | null): string {
  assert.ok(h, 'expected a hover');
  const c = h.contents as { kind: string; value: string };
  assert.equal(c.kind, 'markdown');
  // Addresses and names are code spans in hovers (untrusted text); the story reads the same without them.
  return c.value.replace(/`/g, '');
}

// The bundle an editor starts, spawned: the few tests that prove dist/server.js itself.
describe('language server over real LSP (node dist/server.js --stdio)', function () {
  let client: LspTestClient;

  beforeEach(async () => {
    client = new LspTestClient('stdio');
  });
  afterEach(async () => {
    await client.shutdown();
  });

  it('announces hover and incremental sync', async () => {
    const init = await client.initialize();
    const caps = init.capabilities as Record<string, unknown>;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.textDocumentSync, 2);
  });

  it('warns on exactly the three forged RSTs of the seed capture (lines 2, 4, 6)', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    const all = await client.diagnosticsFor(SEED_URI, (d) => d.length > 0);
    const diags = warnings(all);
    assert.deepEqual(
      diags.map((d) => d.range.start.line + 1),
      [2, 4, 6],
    );
    // the only other diagnostic: the client's offloaded checksums explained once, as information
    assert.deepEqual(
      all.filter((d) => d.severity !== 2).map((d) => [d.range.start.line + 1, d.severity, d.code]),
      [[1, 3, 'checksum-offload']],
    );
    for (const d of diags) {
      assert.equal(d.severity, 2, 'Warning');
      assert.equal(d.source, 'tcpdump-lens');
      assert.equal(d.code, 'ttl-mismatch');
      assert.equal(d.range.start.character, 0);
      assert.equal(d.range.end.line, d.range.start.line);
      assert.match(
        messageOf(d),
        /^Forged RST: sent by a device 1 hop away, 2 hops before 192\.168\.40\.129 \(device #1, medium, against its ICMP packets only\) — 192\.168\.31\.128:49169 → 192\.168\.40\.129:22$/,
      );
      // related information points at the baseline: the first three echo replies (lines 8, 10, 12)
      assert.deepEqual(
        d.relatedInformation!.map((r) => r.location.range.start.line + 1),
        [8, 10, 12],
      );
      assert.equal(d.relatedInformation![0].location.uri, SEED_URI);
      assert.equal(d.relatedInformation![0].location.range.start.character, SEED.split('\n')[7].indexOf('61'));
    }
  });

  it('tells the hop-count story on hover over the forged RST', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    const md = hoverText(await client.hover(SEED_URI, 1, 30));
    assert.match(md, /TTL \*\*63\*\* → initial \*\*64\*\* → \*\*1 hop\*\*/);
    assert.match(md, /TTL 61 \(3 hops\)/);
    assert.match(md, /2 hops before 192\.168\.40\.129/);
    assert.match(md, /line 8: IP \(tos 0x0, ttl +61/, 'baseline lines are listed');
  });

  it('hovers ordinary packets with observed → initial → hops, and nothing off packets', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    assert.match(hoverText(await client.hover(SEED_URI, 7)), /TTL \*\*61\*\* → initial \*\*64\*\* → \*\*3 hops\*\*/);
    assert.match(hoverText(await client.hover(SEED_URI, 0)), /TTL \*\*128\*\* → initial \*\*128\*\* → \*\*0 hops\*\*/);
    assert.equal(await client.hover(SEED_URI, 40), null);
  });

  it('gives the same verdicts on tcpdump 4.x two-line text, ranged over both lines', async () => {
    await client.initialize();
    const uri = 'file:///captures/seed.nv.tcpdump';
    await client.open(uri, fixture('seed-4x/seed-firewall-rst.nv.txt'));
    const diags = warnings(await client.diagnosticsFor(uri, (d) => d.length > 0));
    assert.deepEqual(
      diags.map((d) => [d.range.start.line + 1, d.range.end.line + 1]),
      [
        [3, 4],
        [7, 8],
        [11, 12],
      ],
    );
    assert.match(messageOf(diags[0]), /a device 1 hop away, 2 hops before 192\.168\.40\.129/);
    assert.match(
      hoverText(await client.hover(uri, 3, 50)),
      /2 hops before 192\.168\.40\.129/,
      'hover works on the second line too',
    );
  });

  it('stays silent when the host itself sent the RST', async () => {
    await client.initialize();
    const uri = 'file:///captures/genuine.nv.tcpdump';
    await client.open(uri, fixture('seed-4x/seed-genuine-rst.nv.txt'));
    const diags = await client.diagnosticsFor(uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['checksum-offload'],
    );
    assert.match(hoverText(await client.hover(uri, 2)), /same distance \(3 hops\)/);
  });

  it('re-analyses on every edit: removing the echo replies leaves the RSTs without a baseline', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    await client.diagnosticsFor(SEED_URI, (d) => warnings(d).length === 3);
    // delete lines 7..14 (0-based 6..13): the pings
    await client.change(SEED_URI, 2, [
      { range: { start: { line: 6, character: 0 }, end: { line: 14, character: 0 } }, text: '' },
    ]);
    const after = await client.diagnosticsFor(SEED_URI, (_d, p) => p.version === 2);
    assert.deepEqual(warnings(after), []);
    assert.match(hoverText(await client.hover(SEED_URI, 1)), /nothing to compare this RST with/);
    // type one echo reply back in: the RSTs are judged again, but one ICMP packet is a thin baseline
    const reply = SEED.split('\n')[13];
    await client.change(SEED_URI, 3, [
      { range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: `${reply}\n` },
    ]);
    const back = (await client.diagnosticsFor(SEED_URI, (_d, p) => p.version === 3)).filter(
      (d) => d.code === 'ttl-mismatch',
    );
    assert.deepEqual(
      back.map((d) => [d.range.start.line + 1, d.severity]),
      [
        [2, 3],
        [4, 3],
        [6, 3],
      ],
    );
    assert.match(messageOf(back[0]), /\(low, against its ICMP packets only\) — /);
  });

  it('notes once when a capture has no TTLs (plain -n text)', async () => {
    await client.initialize();
    const uri = 'file:///captures/seed.n.tcpdump';
    await client.open(uri, fixture('seed-4x/seed-firewall-rst.n.txt'));
    const diags = await client.diagnosticsFor(uri, (d) => d.length > 0);
    assert.equal(diags.length, 1);
    assert.equal(diags[0].severity, 3, 'Information');
    assert.equal(diags[0].code, 'no-ttl');
    assert.equal(diags[0].range.start.line, 0);
    assert.match(messageOf(diags[0]), /tcpdump -v/);
  });

  it('follows workspace/configuration: disabling clears, custom initial TTLs change the verdict', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    await client.diagnosticsFor(SEED_URI, (d) => warnings(d).length === 3);
    await client.changeConfiguration({ enable: false });
    await client.diagnosticsFor(SEED_URI, (d) => d.length === 0);
    assert.equal(await client.hover(SEED_URI, 1), null);
    // With 63 and 64 as candidate initial TTLs, 63 reads as 0 hops and 61 as 2 hops: still 2 hops apart.
    await client.changeConfiguration({ enable: true, initialTTL: [63, 64, 128, 255] });
    const diags = warnings(
      await client.diagnosticsFor(
        SEED_URI,
        (d) => warnings(d).length === 3 && /device 0 hops away/.test(messageOf(warnings(d)[0])),
      ),
    );
    assert.match(messageOf(diags[0]), /sent by a device 0 hops away, 2 hops before 192\.168\.40\.129/);
    // Garbage settings fall back to the defaults instead of breaking the analysis.
    await client.changeConfiguration({ enable: 'yes', initialTTL: ['x', -1, 999] });
    const fallback = warnings(
      await client.diagnosticsFor(
        SEED_URI,
        (d) => warnings(d).length === 3 && /device 1 hop away/.test(messageOf(warnings(d)[0])),
      ),
    );
    assert.equal(fallback.length, 3);
  });

  it('reads the deprecated tcpdumpLens.initialTtls while tcpdumpLens.initialTTL is not set; initialTTL wins over it', async () => {
    await client.initialize();
    // The old name alone (a settings.json from 0.1.0): still honoured.
    client.settings = { initialTtls: [63, 64, 128, 255] };
    await client.open(SEED_URI, SEED);
    const old = warnings(
      await client.diagnosticsFor(
        SEED_URI,
        (d) => warnings(d).length === 3 && /device 0 hops away/.test(messageOf(warnings(d)[0])),
      ),
    );
    assert.match(messageOf(old[0]), /sent by a device 0 hops away/);
    // Both names: the new one decides.
    await client.changeConfiguration({ initialTTL: [64, 128, 255], initialTtls: [63, 64, 128, 255] });
    const both = warnings(
      await client.diagnosticsFor(
        SEED_URI,
        (d) => warnings(d).length === 3 && /device 1 hop away/.test(messageOf(warnings(d)[0])),
      ),
    );
    assert.match(messageOf(both[0]), /sent by a device 1 hop away/);
    // The new name alone.
    await client.changeConfiguration({ initialTTL: [63, 64, 128, 255] });
    await client.diagnosticsFor(
      SEED_URI,
      (d) => warnings(d).length === 3 && /device 0 hops away/.test(messageOf(warnings(d)[0])),
    );
  });

  it('speaks Japanese when the client asks for ja', async () => {
    await client.initialize('ja');
    await client.open(SEED_URI, SEED);
    const diags = warnings(await client.diagnosticsFor(SEED_URI, (d) => d.length > 0));
    assert.match(messageOf(diags[0]), /1 ホップ先の機器が送信、192\.168\.40\.129 の 2 ホップ手前/);
    assert.match(hoverText(await client.hover(SEED_URI, 1)), /初期値 \*\*64\*\*/);
  });

  it('clears diagnostics when a document closes', async () => {
    await client.initialize();
    await client.open(SEED_URI, SEED);
    await client.diagnosticsFor(SEED_URI, (d) => warnings(d).length === 3);
    await client.close(SEED_URI);
    await client.diagnosticsFor(SEED_URI, (d) => d.length === 0);
  });
});

describe('editor features over LSP (in-process JSON-RPC)', function () {
  let client: LspTestClient;
  beforeEach(async () => {
    client = new LspTestClient();
    await client.initialize();
    await client.open(SEED_URI, SEED);
  });
  afterEach(async () => {
    await client.shutdown();
  });

  it('inlay hints: ≈N hops right after each TTL value, only in the requested range, and a setting turns them off', async () => {
    const hints = await client.connection.sendRequest<
      { position: { line: number; character: number }; label: string }[]
    >('textDocument/inlayHint', {
      textDocument: { uri: SEED_URI },
      range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } },
    });
    assert.deepEqual(
      hints.map((h) => [h.position.line, h.label]),
      [
        [0, '≈0 hops'],
        [1, '≈1 hop'],
        [2, '≈0 hops'],
        [3, '≈1 hop'],
        [4, '≈0 hops'],
        [5, '≈1 hop'],
        [6, '≈0 hops'],
        [7, '≈3 hops'],
      ],
    );
    const line1 = SEED.split('\n')[1];
    assert.equal(hints[1].position.character, line1.indexOf('63') + 2, 'placed right after the TTL digits');
    await client.changeConfiguration({ inlayHints: { enable: false } });
    const none = await client.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri: SEED_URI },
      range: { start: { line: 0, character: 0 }, end: { line: 13, character: 0 } },
    });
    assert.deepEqual(none, []);
  });

  it('document symbols: one per conversation, with how it ended', async () => {
    const symbols = await client.connection.sendRequest<
      { name: string; detail: string; range: { start: { line: number }; end: { line: number } } }[]
    >('textDocument/documentSymbol', {
      textDocument: { uri: SEED_URI },
    });
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.range.start.line + 1, s.range.end.line + 1]),
      [
        ['TCP 192.168.31.128:49169 → 192.168.40.129:22', '6 packets · reset by a suspicious RST', 1, 6],
        ['ICMP 192.168.31.128 → 192.168.40.129', '8 packets', 7, 14],
      ],
    );
  });

  it('code lens: a summary on the first packet line', async () => {
    const lenses = await client.connection.sendRequest<
      { range: { start: { line: number } }; command: { title: string } }[]
    >('textDocument/codeLens', {
      textDocument: { uri: SEED_URI },
    });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 0);
    assert.equal(lenses[0].command.title, '3 suspicious RSTs from 1 source · 14 packets · 2 sources');
  });

  it("hop map request (tcpdumpLens/hopMap): the article's picture from the same analysis, null for unknown documents and when disabled", async () => {
    const map = await client.connection.sendRequest<{
      sources: { address: string; distances: { hops: number }[] }[];
      suspiciousResets: { claimedSource: string; hops: number; lines: number[]; nearestClaimedHops?: number }[];
    }>('tcpdumpLens/hopMap', { uri: SEED_URI });
    const placed = Object.fromEntries(map.sources.map((s) => [s.address, s.distances.map((d) => d.hops)]));
    assert.deepEqual(placed, { '192.168.31.128': [0], '192.168.40.129': [3] });
    assert.deepEqual(
      map.suspiciousResets.map((r) => [r.claimedSource, r.hops, r.lines, r.nearestClaimedHops]),
      [['192.168.40.129', 1, [1, 3, 5], 3]],
    );
    assert.equal(await client.connection.sendRequest('tcpdumpLens/hopMap', { uri: 'file:///not/open.txt' }), null);
    assert.equal(await client.connection.sendRequest('tcpdumpLens/hopMap', { nonsense: 1 }), null);
    await client.changeConfiguration({ enable: false });
    assert.equal(await client.connection.sendRequest('tcpdumpLens/hopMap', { uri: SEED_URI }), null);
  });

  it('hover on an address: its TTL histogram and what the initial TTL suggests', async () => {
    const line = SEED.split('\n')[1];
    const md = hoverText(await client.hover(SEED_URI, 1, line.indexOf('192.168.40.129') + 3));
    assert.match(md, /\| 3 \| 4 \| 8 \|/, 'hops 3 → 4 packets → first on line 8');
    assert.match(md, /Initial TTL guess: \*\*64\*\* — Linux, macOS/);
    const client128 = hoverText(await client.hover(SEED_URI, 1, line.indexOf('192.168.31.128') + 1));
    assert.match(client128, /Initial TTL guess: \*\*128\*\* — Windows/);
  });

  it('hover on a suspicious RST lists its confidence and every piece of evidence', async () => {
    const md = hoverText(await client.hover(SEED_URI, 1, 5));
    // The verdict in the first line, then each piece of evidence once.
    assert.equal(
      md.split('\n')[0],
      '**⚠ Forged RST: sent by a device 1 hop away, 2 hops before 192.168.40.129 (device #1, medium, against its ICMP packets only) — 192.168.31.128:49169 → 192.168.40.129:22**',
    );
    assert.match(
      md,
      /\*\*Evidence\*\*\n- \*strong\* — 192\.168\.40\.129's other packets arrive with TTL 61 \(3 hops\); this RST from 1 hop\./,
    );
    assert.equal(md.split('2 hops before').length, 2, 'the conclusion is said once');
  });
});
