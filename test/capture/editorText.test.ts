import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureDocumentText, CAPTURE_SCHEME, CAPTURE_TEXT_SUFFIX } from '../../client/src/pcap/captureText';
import { analyze } from '../../server/src/core/analyze';
import { LspTestClient } from '../support/lspClient';

/*
 * What a .pcap shows in the editor (client/src/pcap): the lab pcaps' decoded text must be the
 * text the real tcpdump printed of them (test/fixtures/lab/*.nv.txt, tcpdump 4.99.3), so it gives
 * the lab's known verdicts on the same lines; and the language server analyses such a document
 * under its `tcpdump-pcap:` URI like any other tcpdump document.
 */

const REPO = path.resolve(__dirname, '..', '..');
const LAB = path.join(REPO, 'test', 'fixtures', 'lab');

interface ExpectedFile {
  pcap: string;
  tcpdumpFlags: string;
  forgedRstLines: number[];
  genuineRstLines: number[];
}
const expected = JSON.parse(fs.readFileSync(path.join(LAB, 'expected.json'), 'utf8')) as {
  files: Record<string, ExpectedFile>;
};
const nvFiles = Object.entries(expected.files).filter(([, e]) => e.tcpdumpFlags === '-nv');

function warningLines(text: string): number[] {
  return analyze(text)
    .findings.filter((f) => f.severity === 'warning')
    .map((f) => f.startLine + 1);
}

describe('binary captures in the editor: the decoded document', () => {
  it('covers the four lab captures', () => assert.equal(nvFiles.length, 4));

  for (const [textName, e] of nvFiles) {
    it(`${e.pcap}: the text tcpdump -nv printed, with the lab's forged RSTs warned and its genuine ones not`, () => {
      const text = captureDocumentText(fs.readFileSync(path.join(LAB, e.pcap)));
      const tcpdumpText = fs.readFileSync(path.join(LAB, textName), 'utf8');
      assert.equal(text, tcpdumpText);
      const warned = warningLines(text);
      assert.deepEqual(warned, e.forgedRstLines);
      for (const line of e.genuineRstLines) assert.ok(!warned.includes(line), `genuine RST on line ${line} warned`);
      assert.deepEqual(
        analyze(text).findings.map((f) => [f.code, f.severity, f.startLine]),
        analyze(tcpdumpText).findings.map((f) => [f.code, f.severity, f.startLine]),
      );
    });
  }

  it('a damaged capture: the frames read, then what is wrong, and the same verdicts', () => {
    const bytes = fs.readFileSync(path.join(LAB, 'ttl64-ipv4.pcap'));
    const full = captureDocumentText(bytes);
    const cut = captureDocumentText(bytes.subarray(0, bytes.length - 10));
    const lines = cut.trimEnd().split('\n');
    assert.match(
      lines[lines.length - 1],
      /^tcpdump-lens: pcap frame \d+ truncated: \d+ of \d+ captured bytes present$/,
    );
    assert.ok(full.startsWith(lines.slice(0, -1).join('\n')));
    assert.deepEqual(warningLines(cut), expected.files['ttl64-ipv4.nv.txt'].forgedRstLines);
    assert.equal(captureDocumentText(new Uint8Array(0)), 'tcpdump-lens: not a capture file: only 0 bytes\n');
  });

  describe('the language server analyses a tcpdump-pcap: document', function () {
    this.timeout(20000);
    let client: LspTestClient;
    before(async function () {
      if (!fs.existsSync(path.join(REPO, 'dist', 'server.js')))
        throw new Error('dist/server.js is missing: run npm run build first');
      client = new LspTestClient();
      await client.initialize();
    });
    after(async () => client?.shutdown());

    it('publishes the forged-RST warnings for the decoded lab capture', async () => {
      const pcap = path.join(LAB, 'ttl64-ipv6.pcap');
      // The URI client/src/pcap/index.ts gives the document: capture path + .tcpdump, capture URI as query.
      const uri = `${CAPTURE_SCHEME}:${encodeURI(pcap + CAPTURE_TEXT_SUFFIX)}?${encodeURIComponent(`file://${pcap}`)}`;
      await client.open(uri, captureDocumentText(fs.readFileSync(pcap)));
      const diags = await client.diagnosticsFor(uri, (d) => d.length > 0);
      const warned = diags.filter((d) => d.severity === 2).map((d) => d.range.start.line + 1);
      assert.deepEqual(warned, expected.files['ttl64-ipv6.nv.txt'].forgedRstLines);
    });
  });
});
