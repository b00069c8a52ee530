import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { planCapture, renderV39, writeCapture, type CaptureForm } from '../../scripts/bench/generate';

/* Smoke test of the benchmark's capture generator: small sizes, both forms, checked against the analysis. */

describe('benchmark capture generator', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lens-bench-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const v39Text = (count: number, seed: number): string => {
    const scratch = Buffer.alloc(4096);
    const lines: string[] = [];
    planCapture(count, seed, 'v39', (p) => lines.push(renderV39(p, scratch)));
    return lines.join('\n');
  };

  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    assert.equal(v39Text(500, 1), v39Text(500, 1));
    assert.notEqual(v39Text(500, 1), v39Text(500, 2));
  });

  for (const form of ['v39', 'nv'] as CaptureForm[]) {
    it(`${form}: hundreds of sources, genuine and forged RSTs, and the analysis flags exactly the forged ones`, () => {
      const expected = writeCapture(dir, form, 3000, 99);
      const text = readFileSync(path.join(dir, `${form}-3k.txt`), 'utf8');
      const lines = text.split('\n');
      assert.equal(expected.packets, 3000);
      assert.ok(expected.sources >= 200, `only ${expected.sources} sources`);
      assert.ok(expected.genuineResets > 0 && expected.forgedLines.length > 0, JSON.stringify(expected));
      if (form === 'v39') {
        assert.equal(expected.lines, 3000); // one line a packet
        assert.match(
          lines[expected.forgedLines[0] - 1],
          /^IP \(tos 0x0, ttl +\d+, id \d+, offset 0, flags \[(DF|none)\], proto: TCP \(6\), length: 40\) \S+ > \S+: R, cksum 0x[0-9a-f]{4} \(correct\), \d+:\d+\(0\) ack \d+ win 0$/,
        );
      } else {
        // Printed by the real tcpdump: IPv4 takes two lines, IPv6 one.
        const v6 = lines.filter((l) => l.includes(' IP6 (')).length;
        assert.ok(v6 > 0);
        assert.equal(expected.lines, 2 * (3000 - v6) + v6);
      }
      const flagged = analyze(text)
        .findings.filter((f) => f.code === 'ttl-mismatch')
        .map((f) => f.startLine + 1);
      assert.deepEqual(flagged, expected.forgedLines);
    });
  }
});
