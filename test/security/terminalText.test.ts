import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { buildHopMapHtml, hopMapShowMessage } from '../../client/src/hopMap/html';
import { ENGLISH_LABELS, renderHopMapSvg } from '../../client/src/hopMap/render';
import { analyze } from '../../server/src/core/analyze';
import { displayText, jsonForTerminal } from '../../server/src/core/displayText';
import { buildHopMap } from '../../server/src/core/hopMap';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';
import { describeFinding } from '../../server/src/core/describe';

/*
 * Host names are whatever the resolver says, and tcpdump prints them verbatim: in
 * test/fixtures/bad/terminal-names.v.txt (real tcpdump, see make-fixtures.sh) they are terminal
 * escape sequences and a bidi override. Human-facing outputs (CLI text, --follow, stderr, hovers,
 * symbols, lenses, hints, diagnostics, the hop map) must show them as visible escapes; data
 * outputs (JSON, SARIF, --packets) must keep them exactly.
 */

const BAD = path.join(REPO_ROOT, 'test', 'fixtures', 'bad');
const FIXTURE = path.join('test', 'fixtures', 'bad', 'terminal-names.v.txt');
const TEXT = fs.readFileSync(path.join(REPO_ROOT, FIXTURE), 'utf8');
/** The host names of terminal.hosts, exactly as tcpdump printed them. */
const NAMES = fs
  .readFileSync(path.join(BAD, 'terminal.hosts'), 'utf8')
  .split('\n')
  .map((l) => l.split(/\s+/)[1])
  .filter((n) => n && n !== 'localhost');

/** A character that steers a terminal or reorders text. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const rawIn = (s: string): string | undefined => {
  const m = RAW.exec(s);
  return m ? `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(s)}` : undefined;
};
/** How each payload must look once neutralised. */
const VISIBLE = [
  'cli6\\x1b[2J', // clear screen
  '\\x1b]0;pwned\\x07cli', // window title
  '\\x1b]8;;http://evil.example/\\x1b\\srv\\x1b]8;;\\x1b\\', // hyperlink
  'srv6\\x9b2J\\u202e', // C1 CSI and a right-to-left override
];

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
function cli(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('security: terminal escapes and bidi controls in capture text', function () {
  this.timeout(60_000);

  it('the fixture really holds every payload, raw, and the analysis puts them into findings', () => {
    assert.equal(NAMES.length, 4);
    for (const seq of ['\u001b[2J', '\u001b]0;', '\u001b]8;;', '\u009b', '\u202e']) assert.ok(TEXT.includes(seq), seq);
    const messages = analyze(TEXT).findings.map((f) => describeFinding(f, 'en'));
    for (const name of NAMES)
      assert.ok(
        messages.some((m) => m.includes(name)),
        `${JSON.stringify(name)} unreported`,
      );
  });

  describe('displayText', () => {
    it('escapes C0, DEL, C1, bidi controls and line separators visibly; leaves other text alone', () => {
      assert.equal(displayText('a\u001b[2Jb\u0007\u009b\u007f'), 'a\\x1b[2Jb\\x07\\x9b\\x7f');
      assert.equal(
        displayText('\u202a\u202e\u2066\u2069\u200e\u200f\u061c\u2028\u2029'),
        '\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029',
      );
      assert.equal(displayText('x\ny\tz\r'), 'x\\x0ay\\x09z\\x0d');
      assert.equal(displayText('x\ny\tz\r', true), 'x\ny\tz\\x0d');
      assert.equal(displayText('192.168.40.129 → ホスト <b> é'), '192.168.40.129 → ホスト <b> é');
    });

    it('jsonForTerminal: ASCII-safe JSON that parses back to the exact text', () => {
      const value = { name: NAMES.join(' '), all: '\u0000\u001f\u007f\u0080\u009f\u202e\u2028\u061c' };
      const json = jsonForTerminal(JSON.stringify(value, null, 2));
      assert.equal(rawIn(json.replace(/\n/g, '')), undefined);
      assert.deepEqual(JSON.parse(json), value);
    });
  });

  describe('CLI', () => {
    it('text: no raw control or bidi character, each payload shown as a visible escape', () => {
      const r = cli([FIXTURE]);
      assert.equal(r.code, 1, r.stderr);
      for (const line of r.stdout.split('\n')) assert.equal(rawIn(line), undefined);
      for (const v of VISIBLE) assert.ok(r.stdout.includes(v), `${v} not shown:\n${r.stdout}`);
    });

    it('--follow text: the same', () => {
      const r = cli(['--follow', '-'], TEXT);
      assert.equal(r.code, 1, r.stderr);
      for (const line of r.stdout.split('\n')) assert.equal(rawIn(line), undefined);
      for (const v of VISIBLE) assert.ok(r.stdout.includes(v), `${v} not shown:\n${r.stdout}`);
    });

    it('stderr: a file name with controls is shown escaped too', () => {
      const r = cli(['no-such-\u001b]0;x\u0007-\u202e.txt']);
      assert.equal(r.code, 2);
      assert.equal(rawIn(r.stderr.replace(/\n/g, '')), undefined);
      assert.match(r.stderr, /no-such-\\x1b\]0;x\\x07-\\u202e\.txt/);
    });

    it('JSON, --follow JSON, --packets and SARIF: the exact original text, escaped only as JSON', () => {
      const json = cli(['--format', 'json', FIXTURE]);
      assert.equal(rawIn(json.stdout.replace(/\n/g, '')), undefined, 'JSON text on a terminal');
      const doc = JSON.parse(json.stdout) as { files: { findings: { message: string }[] }[] };
      const messages = doc.files[0].findings.map((f) => f.message);
      assert.deepEqual(
        messages,
        analyze(TEXT).findings.map((f) => describeFinding(f, 'en')),
      );
      for (const name of NAMES)
        assert.ok(
          messages.some((m) => m.includes(name)),
          JSON.stringify(name),
        );

      const live = cli(['--follow', '--format', 'json', '-'], TEXT);
      const liveMessages = live.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message: string }).message);
      for (const name of NAMES)
        assert.ok(
          liveMessages.some((m) => m.includes(name)),
          JSON.stringify(name),
        );

      const packets = cli(['--packets', FIXTURE])
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { src: string });
      for (const name of NAMES.filter((n) => !n.includes(':')))
        assert.ok(
          packets.some((p) => p.src.startsWith(name)),
          JSON.stringify(name),
        );

      const sarif = JSON.parse(cli(['--format', 'sarif', FIXTURE]).stdout) as Log;
      const texts = sarif.runs[0].results!.map((r) => r.message.text!);
      assert.deepEqual(texts, messages);
    });
  });

  describe('language server (real LSP)', () => {
    let client: LspTestClient;
    const uri = 'file:///security/terminal-names.v.txt';
    before(async () => {
      client = new LspTestClient();
      await client.initialize();
      await client.open(uri, TEXT);
    });
    after(async () => {
      await client.shutdown();
    });

    it('diagnostics: messages and related messages escaped', async () => {
      const diagnostics = await client.diagnosticsFor(uri, (d) => d.length > 0);
      const texts = diagnostics.flatMap((d) => [
        typeof d.message === 'string' ? d.message : d.message.value,
        ...(d.relatedInformation ?? []).map((r) => r.message),
      ]);
      for (const t of texts) assert.equal(rawIn(t), undefined);
      for (const v of VISIBLE)
        assert.ok(
          texts.some((t) => t.includes(v)),
          v,
        );
    });

    it('hovers on every word: no raw control or bidi character; newlines kept as Markdown structure', async () => {
      let hovers = 0;
      let escaped = 0;
      const lines = TEXT.split('\n');
      for (let line = 0; line < lines.length; line++) {
        for (const m of lines[line].matchAll(/\S+/g)) {
          const hover = await client.hover(uri, line, m.index);
          if (!hover) continue;
          hovers++;
          const value = (hover.contents as { value: string }).value;
          assert.equal(rawIn(value.replace(/[\n\t]/g, '')), undefined, `line ${line + 1} col ${m.index}`);
          if (VISIBLE.some((v) => value.includes(v.slice(0, 10)))) escaped++;
        }
      }
      assert.ok(hovers > 20, `only ${hovers} hovers`);
      assert.ok(escaped > 5, `only ${escaped} hovers show an escaped name`);
    });

    it('document symbols, code lens and inlay hints: no raw control or bidi character', async () => {
      const symbols = (await client.documentSymbols(uri)) as { name: string; detail?: string }[];
      const names = symbols.flatMap((s) => [s.name, s.detail ?? '']);
      for (const n of names) assert.equal(rawIn(n), undefined);
      for (const v of VISIBLE)
        assert.ok(
          names.some((n) => n.includes(v)),
          v,
        );
      const lenses = await client.connection.sendRequest<{ command: { title: string } }[]>('textDocument/codeLens', {
        textDocument: { uri },
      });
      assert.ok(lenses.length > 0);
      for (const l of lenses) assert.equal(rawIn(l.command.title), undefined);
      const hints = (await client.inlayHints(uri, 0, 100)) as { label: string }[];
      assert.ok(hints.length > 0);
      for (const h of hints) assert.equal(rawIn(h.label), undefined);
    });
  });

  describe('hop map', () => {
    it('the drawn map and the page message hold no raw control or bidi character, and show the escapes', () => {
      const map = buildHopMap(analyze(TEXT));
      assert.ok(
        map.sources.some((s) => NAMES.some((n) => s.address.startsWith(n))),
        'the map data keeps the names exactly',
      );
      const svg = renderHopMapSvg(map, ENGLISH_LABELS);
      assert.equal(rawIn(svg.replace(/\n/g, '')), undefined);
      // Clipped to 48 characters in the gutter, but the tooltips carry the whole name.
      for (const v of VISIBLE.map((x) => x.slice(0, 12)))
        assert.ok(svg.includes(v.replace(/&/g, '&amp;').replace(/</g, '&lt;')), `${v} not drawn`);
      const message = hopMapShowMessage(ENGLISH_LABELS.heading('\u202eevil\u001b[2J.txt'), svg);
      assert.equal(rawIn(message.title), undefined);
      assert.match(message.title, /\\u202eevil\\x1b\[2J\.txt/);
      const html = buildHopMapHtml({ cspSource: 'x', nonce: 'n', title: '\u202et\u001b', markup: svg });
      assert.equal(rawIn(html.replace(/\n/g, '')), undefined);
    });
  });
});
