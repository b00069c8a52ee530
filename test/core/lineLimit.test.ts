import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeStages, type Finding } from '../../server/src/core/analyze';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { splitLines } from '../../server/src/core/parse';
import { CaptureJudge, CaptureSurvey, FOLLOW_LIMITS, FollowAnalysis } from '../../server/src/core/streamAnalysis';
import { capLines, LINE_LIMIT, LineSplitter, type LongLine } from '../../server/src/core/streamParse';
import { describeFinding } from '../../server/src/core/describe';

/*
 * The streaming paths keep at most LINE_LIMIT characters of a line (uncapped, one line past V8's
 * longest string threw a RangeError out of the CLI). The limit is a parameter, so a small one
 * stands in for 1 MiB here: what is cut is the excess of that line only, it is reported, and the
 * next line is read as before. test/cli/longLines.test.ts runs the real default through the CLI.
 */

const REPO = path.resolve(__dirname, '..', '..');
const SEED = readFileSync(path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8');

function* pieces(text: string, size: number): Iterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** What a capped reader should make of `text`: splitLines, each line cut to `limit`. */
function expectedLines(text: string, limit: number): { lines: string[]; long: LongLine[] } {
  const lines = splitLines(text);
  const long = capLines(lines, limit);
  return { lines, long };
}

const shape = (f: Finding) => ({
  code: f.code,
  severity: f.severity,
  startLine: f.startLine,
  endLine: f.endLine,
  endCharacter: f.endCharacter,
  message: describeFinding(f, 'en'),
  related: f.related,
});

describe('line limit of the streaming paths', () => {
  it('capLines cuts only the lines over the limit and names them with their whole length', () => {
    const lines = ['short', 'x'.repeat(12), '', 'y'.repeat(10), 'z'.repeat(11)];
    assert.deepEqual(capLines(lines, 10), [
      { line: 1, length: 12 },
      { line: 4, length: 11 },
    ]);
    assert.deepEqual(lines, ['short', 'x'.repeat(10), '', 'y'.repeat(10), 'z'.repeat(10)]);
  });

  it('LineSplitter: the lines of splitLines cut to the limit, however the text is chunked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '\r', '\r\n'), maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }),
        (text, limit, sizes) => {
          const splitter = new LineSplitter(limit);
          const got: string[] = [];
          const long: LongLine[] = [];
          let at = 0;
          for (let k = 0; at < text.length; k++) {
            const size = sizes[k % sizes.length];
            splitter.push(text.slice(at, at + size), got);
            at += size;
            long.push(...splitter.takeLongLines());
          }
          splitter.end(got);
          long.push(...splitter.takeLongLines());
          const want = expectedLines(text, limit);
          assert.deepEqual(got, want.lines);
          assert.deepEqual(long, want.long);
        },
      ),
      { seed: 20261124, numRuns: 2000 },
    );
  });

  it('a line far over the limit in one chunk and across many is cut the same', () => {
    const text = `first\n${'x'.repeat(5000)}\r\nlast`;
    for (const size of [text.length, 7, 64, 4096]) {
      const splitter = new LineSplitter(100);
      const out: string[] = [];
      for (const piece of pieces(text, size)) splitter.push(piece, out);
      splitter.end(out);
      assert.deepEqual(out, ['first', 'x'.repeat(100), 'last'], `${size}-character pieces`);
      assert.deepEqual(splitter.takeLongLines(), [{ line: 1, length: 5000 }]);
    }
  });

  it('the default is 1 MiB: four times the longest line tcpdump prints (a 262144-byte snapshot with -A)', () => {
    assert.equal(LINE_LIMIT, 1 << 20);
  });

  // A real capture with an over-long junk line and an RST whose line runs on far past the limit.
  const limit = 400;
  const seedLines = SEED.split('\n');
  const grown = [
    seedLines[0],
    `${seedLines[1]} ${'x'.repeat(3000)}`,
    'y'.repeat(5000),
    ...seedLines.slice(2, 8),
    `${'z'.repeat(2000)} 192.168.40.129`,
    ...seedLines.slice(8),
  ].join('\n');

  it('both streamed passes: long lines cut and named, the rest read, findings as for the cut text', () => {
    const want = expectedLines(grown, limit);
    const whole = analyzeStages(grown, DEFAULT_OPTIONS, want.lines).analysis;
    for (const size of [grown.length, 1000, 64]) {
      const survey = new CaptureSurvey(DEFAULT_OPTIONS, limit);
      for (const piece of pieces(grown, size)) survey.push(piece);
      const result = survey.end();
      assert.deepEqual(result.longLines, [
        { line: 1, length: seedLines[1].length + 3001 },
        { line: 2, length: 5000 },
        { line: 9, length: 2015 },
      ]);
      assert.equal(result.lineLimit, limit);
      assert.equal(result.packets, whole.packets.length);
      const judge = new CaptureJudge(result, DEFAULT_OPTIONS);
      const findings: Finding[] = [];
      for (const piece of pieces(grown, size)) findings.push(...judge.push(piece));
      findings.push(...judge.end());
      assert.deepEqual(findings.map(shape), whole.findings.map(shape), `${size}-character pieces`);
    }
    // Cutting lost nothing tcpdump printed: the RST on the long line is still the first warning.
    const warnings = whole.findings.filter((f) => f.severity === 'warning');
    assert.deepEqual(
      warnings.map((f) => [f.startLine, f.endCharacter]),
      [
        [1, limit],
        [4, seedLines[3].length],
        [6, seedLines[5].length],
      ],
    );
  });

  it('live analysis: long lines cut and named as they end, the later packets still judged', () => {
    const live = new FollowAnalysis(DEFAULT_OPTIONS, { ...FOLLOW_LIMITS, lineLength: limit });
    const long: LongLine[] = [];
    const events = [];
    for (const piece of pieces(grown, 256)) {
      events.push(...live.push(piece));
      long.push(...live.takeLongLines());
    }
    events.push(...live.end());
    long.push(...live.takeLongLines());
    assert.deepEqual(
      long.map((l) => l.line),
      [1, 2, 9],
    );
    assert.deepEqual(
      // An RST is reported again when later packets raise its confidence: once per line here.
      [...new Set(events.filter((e) => e.finding.code === 'ttl-mismatch').map((e) => e.finding.startLine))],
      [1, 4, 6],
    );
  });
});
