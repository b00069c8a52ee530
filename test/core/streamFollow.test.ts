import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, type Finding } from '../../server/src/core/analyze';
import { FollowAnalysis, type FollowEvent } from '../../server/src/core/streamAnalysis';
import { captureName, writeCapture } from '../../scripts/bench/generate';
import { describeFinding } from '../../server/src/core/describe';

const REPO = path.resolve(__dirname, '..', '..');
const SEED = path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt');

/** Feeds the text line by line, as `tcpdump -l` writes it; records after which line each event came. */
function follow(text: string, f = new FollowAnalysis()): { afterLine: number; event: FollowEvent }[] {
  const out: { afterLine: number; event: FollowEvent }[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const event of f.push(i < lines.length - 1 ? `${line}\n` : line)) out.push({ afterLine: i + 1, event });
  });
  for (const event of f.end()) out.push({ afterLine: -1, event });
  return out;
}

describe('live (--follow) analysis', () => {
  it("seed capture: the forged RSTs are reported when the server's TTL-61 echo replies arrive, and raised at the second", () => {
    const text = readFileSync(SEED, 'utf8');
    assert.equal(text, readFileSync(path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8'));
    const got = follow(text);
    const resets = got.filter((g) => g.event.finding.code === 'ttl-mismatch');
    // Lines 2, 4, 6 are the RSTs (TTL 63 = 1 hop); line 8 is the first echo reply (TTL 61 = 3 hops).
    // One reply alone is a thin, ICMP-only baseline: low. The second makes it medium, as in the whole file.
    assert.deepEqual(
      resets.map((g) => [
        g.afterLine,
        g.event.finding.startLine + 1,
        g.event.decidedAtLine + 1,
        g.event.finding.confidence,
        g.event.raisedFrom,
      ]),
      [
        [8, 2, 8, 'low', undefined],
        [8, 4, 8, 'low', undefined],
        [8, 6, 8, 'low', undefined],
        [10, 2, 10, 'medium', 'low'],
        [10, 4, 10, 'medium', 'low'],
        [10, 6, 10, 'medium', 'low'],
      ],
    );
    for (const g of resets)
      assert.match(
        describeFinding(g.event.finding, 'en'),
        /^(Possibly forged|Forged) RST: sent by a device 1 hop away, 2 hops before 192\.168\.40\.129 .* — 192\.168\.31\.128:49169 → 192\.168\.40\.129:22$/,
      );
    // The final word on each RST is the whole-file one (only the related packets so far differ).
    const shape = (f: Finding) => [
      f.startLine,
      f.endLine,
      f.endCharacter,
      f.severity,
      f.code,
      describeFinding(f, 'en'),
    ];
    const whole = analyze(text).findings.filter((f) => f.code === 'ttl-mismatch');
    assert.deepEqual(
      resets.slice(3).map((g) => shape(g.event.finding)),
      whole.map(shape),
    );
    assert.deepEqual(
      resets[3].event.finding.related.map((r) => r.line + 1),
      [8, 10],
    );
    // The checksum note needs the whole input: it comes at the end.
    assert.deepEqual(
      got.filter((g) => g.afterLine === -1).map((g) => g.event.finding.code),
      ['checksum-offload'],
    );
  });

  it('an RST already suspicious on arrival is reported on its own line', () => {
    const text = readFileSync(SEED, 'utf8').split('\n');
    // Echo replies first, then the RSTs: each is decided by itself.
    const reordered = [...text.slice(6, 12), ...text.slice(0, 6)].join('\n') + '\n';
    const resets = follow(reordered).filter((g) => g.event.finding.code === 'ttl-mismatch');
    assert.deepEqual(
      resets.map((g) => [g.afterLine, g.event.decidedAtLine + 1, g.event.finding.startLine + 1]),
      [
        [8, 8, 8],
        [10, 10, 10],
        [12, 12, 12],
      ],
    );
  });

  /** Each event as [after line, RST line, confidence, how it changed]. */
  const story = (file: string) =>
    follow(readFileSync(path.join(REPO, 'test', 'fixtures', 'signals', file), 'utf8'))
      .filter((g) => g.event.finding.code === 'ttl-mismatch')
      .map((g) => [
        g.afterLine,
        g.event.finding.startLine + 1,
        g.event.finding.confidence,
        g.event.retracted
          ? 'retracted'
          : g.event.loweredFrom
            ? `lowered from ${g.event.loweredFrom}`
            : g.event.raisedFrom
              ? `raised from ${g.event.raisedFrom}`
              : 'new',
      ]);

  it("retracts a report when the claimed sender's later packets explain the RST (per-connection paths)", () => {
    // The closed port's RST (line 21, 4 hops) arrives while the server has only been seen at 3 hops,
    // on one other connection: live mode says so, as information only (one connection's path is not
    // yet a baseline). Its :80 replies at 4 hops (line 26) explain it: the report is withdrawn, and
    // nothing stands at the end, as in the whole-file read. It never warned.
    assert.deepEqual(story('per-connection-paths-genuine.nv.txt'), [
      [22, 21, 'low', 'new'],
      [26, 21, 'low', 'retracted'],
    ]);
    // A report's facts are a snapshot: worded after the later packets, it still says what was known.
    const text = readFileSync(
      path.join(REPO, 'test', 'fixtures', 'signals', 'per-connection-paths-genuine.nv.txt'),
      'utf8',
    );
    const first = follow(text).find((g) => g.event.finding.code === 'ttl-mismatch')!;
    assert.equal(first.event.finding.severity, 'information');
    const said = describeFinding(first.event.finding, 'en');
    const facts = first.event.finding.facts;
    assert.ok(facts.kind === 'suspicious-reset');
    assert.deepEqual(facts.verdict.compared?.ttls, [61], 'the 3-hop baseline it was decided on');
    assert.match(said, /sent from 4 hops away, 1 hop beyond 203\.0\.113\.10/);
    assert.match(
      said,
      /\(low\) — 10\.0\.0\.2:40000 → 203\.0\.113\.10:8080 — still unknown: only one other connection of 203\.0\.113\.10 shows its distance so far/,
    );
    assert.match(describeFinding(first.event.finding, 'ja'), /まだ不明/);
  });

  it("lowers a report when later packets widen the sender's distance, to what the whole file says", () => {
    assert.deepEqual(story('far-rst-before-second-path.nv.txt'), [
      [20, 19, 'high', 'new'],
      [24, 19, 'medium', 'lowered from high'],
    ]);
    const text = readFileSync(
      path.join(REPO, 'test', 'fixtures', 'signals', 'far-rst-before-second-path.nv.txt'),
      'utf8',
    );
    assert.deepEqual(
      analyze(text).findings.map((f) => [f.startLine + 1, f.confidence]),
      [[19, 'medium']],
    );
  });

  it('stays within its limits on a long capture, and still reports forged RSTs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lens-follow-'));
    try {
      const expected = writeCapture(dir, 'v39', 12000, 11);
      const text = readFileSync(path.join(dir, `${captureName('v39', 12000)}.txt`), 'utf8');
      const limits = { sources: 40, conversations: 60, pendingResets: 30, pendingPerSource: 4 };
      const f = new FollowAnalysis(undefined, limits);
      let peak = { sources: 0, conversations: 0, pendingResets: 0 };
      const reported = new Set<number>();
      for (const line of text.split('\n')) {
        for (const e of f.push(`${line}\n`))
          if (e.finding.code === 'ttl-mismatch') reported.add(e.finding.startLine + 1);
        const h = f.held;
        peak = {
          sources: Math.max(peak.sources, h.sources),
          conversations: Math.max(peak.conversations, h.conversations),
          pendingResets: Math.max(peak.pendingResets, h.pendingResets),
        };
      }
      assert.ok(expected.sources > 4 * limits.sources, `only ${expected.sources} sources: the limit is not exercised`);
      assert.ok(
        peak.sources <= limits.sources &&
          peak.conversations <= limits.conversations &&
          peak.pendingResets <= limits.pendingResets,
        JSON.stringify(peak),
      );
      const caught = expected.forgedLines.filter((l) => reported.has(l)).length;
      assert.ok(
        caught > expected.forgedLines.length / 2,
        `${caught} of ${expected.forgedLines.length} forged RSTs reported`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
