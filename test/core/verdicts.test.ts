import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { describeFinding } from '../../server/src/core/describe';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const read = (f: string): string => readFileSync(path.join(FIXTURES, f), 'utf8');

/** fixture → expected verdicts (1-based first lines of warned RSTs; whether the no-TTL notice shows). */
const TABLE: { file: string; warnings: number[]; hopsBefore?: number; noTtlNotice?: boolean }[] = [
  { file: 'seed-firewall-rst.txt', warnings: [2, 4, 6], hopsBefore: 2 },
  { file: 'seed-4x/seed-firewall-rst.nv.txt', warnings: [3, 7, 11], hopsBefore: 2 },
  { file: 'seed-4x/seed-firewall-rst.nvve.txt', warnings: [3, 7, 11], hopsBefore: 2 },
  { file: 'seed-4x/seed-firewall-rst.n.txt', warnings: [], noTtlNotice: true },
  { file: 'seed-4x/seed-genuine-rst.nv.txt', warnings: [] },
  { file: 'seed-4x/seed-genuine-rst.nvve.txt', warnings: [] },
  { file: 'seed-4x/seed-genuine-rst.n.txt', warnings: [], noTtlNotice: true },
];

describe('verdicts on fixtures with known answers', () => {
  for (const row of TABLE) {
    it(`${row.file}: ${row.warnings.length ? `warnings on lines ${row.warnings.join(', ')}` : 'no warning'}`, () => {
      const a = analyze(read(row.file));
      const warned = a.findings.filter((f) => f.severity === 'warning');
      assert.deepEqual(
        warned.map((f) => f.startLine + 1),
        row.warnings,
      );
      for (const f of warned) {
        assert.equal(f.code, 'ttl-mismatch');
        const v = a.verdictByPacket.get(f.packet)!;
        assert.equal(v.status, 'suspicious');
        assert.equal(v.hopsBeforeSender, row.hopsBefore);
      }
      const notices = a.findings.filter((f) => f.code === 'no-ttl');
      assert.equal(notices.length, row.noTtlNotice ? 1 : 0);
      if (row.noTtlNotice) assert.equal(notices[0].startLine, a.packets[0].startLine);
    });
  }

  it('records TTL, initial TTL, hops and the baseline for the seed RST', () => {
    const a = analyze(read('seed-firewall-rst.txt'));
    const v = a.verdictByPacket.get(1)!;
    assert.equal(v.ttl, 63);
    assert.equal(v.initialTtl, 64);
    assert.equal(v.hops, 1);
    assert.equal(v.baselineHops, 3);
    assert.deepEqual(v.baseline!.packets, [7, 9, 11, 13], 'the echo replies, packets after the RST included');
    assert.deepEqual(v.baseline!.ttls, [61]);
  });

  it('does not warn about an RST whose source has no other TTL-bearing packet, and says why on hover', () => {
    const text = read('seed-firewall-rst.txt').split('\n').slice(0, 6).join('\n');
    const a = analyze(text);
    assert.deepEqual(
      a.findings.map((f) => f.code),
      ['checksum-offload'],
    );
    assert.equal(a.verdicts[0].status, 'no-baseline');
  });

  it('judges against packets from before and after the RST alike', () => {
    const lines = read('seed-firewall-rst.txt').split('\n');
    // only one echo reply, placed before the RSTs
    const a = analyze([lines[7], lines[0], lines[1]].join('\n'));
    assert.deepEqual(
      a.findings.filter((f) => f.code === 'ttl-mismatch').map((f) => [f.startLine, f.confidence]),
      [[2, 'low']],
    );
  });

  it('an RST farther than its source is still flagged, worded as beyond the host', () => {
    const lines = read('seed-firewall-rst.txt').split('\n');
    const far = lines[1].replace('ttl  63', 'ttl  58');
    const a = analyze([lines[7], far].join('\n'), DEFAULT_OPTIONS);
    assert.equal(a.findings.length, 1);
    assert.equal(a.verdicts[0].hopsBeforeSender, -3);
    assert.match(describeFinding(a.findings[0], 'en'), /sent from 6 hops away, 3 hops beyond 192\.168\.40\.129/);
  });
});
