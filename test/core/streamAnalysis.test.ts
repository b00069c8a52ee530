import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, type Finding } from '../../server/src/core/analyze';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../server/src/core/options';
import { analyzeInTwoPasses, FollowAnalysis } from '../../server/src/core/streamAnalysis';
import { itWithShared, sharedPath } from '../support/shared';
import { captureName, writeCapture, type CaptureForm } from '../../scripts/bench/generate';
import { describeFinding } from '../../server/src/core/describe';

const REPO = path.resolve(__dirname, '..', '..');

function textFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) textFiles(p, out);
    else if (/\.(txt|out)$/.test(name)) out.push(p);
  }
  return out;
}

/** The text cut into pieces of `size` characters (CRLF and multi-line packets get split across pieces). */
function* pieces(text: string, size: number): Iterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const shape = (f: Finding) => ({
  code: f.code,
  severity: f.severity,
  startLine: f.startLine,
  startCharacter: f.startCharacter,
  endLine: f.endLine,
  endCharacter: f.endCharacter,
  message: describeFinding(f, 'en'),
  japanese: describeFinding(f, 'ja'),
});
const withRelated = (f: Finding) => ({ ...shape(f), related: f.related, confidence: f.confidence, device: f.device });

const RESET_CODES = new Set(['ttl-mismatch', 'mac-mismatch', 'rst-sequence', 'rst-header']);

/**
 * What live mode leaves standing at end of input: the reports it has not lowered away or retracted,
 * and the notes end() gives. Its word on an RST may have been higher on the way (it cannot see the
 * future), but never at the end.
 */
function followAtEnd(text: string, options: AnalysisOptions, size: number): Finding[] {
  const live = new FollowAnalysis(options);
  const events = [];
  for (const piece of pieces(text, size)) events.push(...live.push(piece));
  events.push(...live.end());
  const notes = events.filter((e) => !RESET_CODES.has(e.finding.code)).map((e) => e.finding);
  return [...live.standing(), ...notes].sort((x, y) => x.startLine - y.startLine);
}

/** Every driver gives analyze()'s findings at end of input: the two-pass stream and live mode. */
function checkEqual(file: string, text: string, options: AnalysisOptions, size: number): void {
  const want = analyze(text, options).findings.map(withRelated);
  const where = `${path.relative(REPO, file)} in ${size}-character pieces`;
  const streamed = analyzeInTwoPasses(() => pieces(text, size), options).findings;
  assert.deepEqual(streamed.map(withRelated), want, `two passes: ${where}`);
  // Live mode numbers devices in the order it first warns about them, not in line order: the same
  // RSTs must share a device, whatever its number.
  assert.deepEqual(
    inLineOrder(followAtEnd(text, options, size)).map(withRelated),
    inLineOrder(want),
    `live (--follow): ${where}`,
  );
}

/** Findings with their devices renumbered by first appearance in line order. */
function inLineOrder<T extends { device?: number }>(findings: readonly T[]): T[] {
  const number = new Map<number, number>();
  return findings.map((f) => {
    if (f.device === undefined) return f;
    if (!number.has(f.device)) number.set(f.device, number.size + 1);
    return { ...f, device: number.get(f.device) };
  });
}

describe('streamed and live analysis equal analyze() on whole inputs', () => {
  const groups: [string, string[]][] = [
    ['test/fixtures (lab included)', [path.join(REPO, 'test', 'fixtures')]],
    ['shared/corpus/out', [sharedPath('corpus', 'out')]],
    ['shared/corpus/regen', [sharedPath('corpus', 'regen')]],
  ];
  for (const [name, [dir]] of groups) {
    const files = existsSync(dir) ? textFiles(dir) : [];
    const title = `${name}: every file (${files.length}), whole and in small pieces`;
    const needs = dir.startsWith(sharedPath()) ? path.relative(sharedPath(), dir).split(path.sep) : [];
    itWithShared(title, needs, () => {
      assert.ok(files.length > 5, `${name} has too few text files`);
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        checkEqual(f, text, DEFAULT_OPTIONS, 1 << 30);
        checkEqual(f, text, DEFAULT_OPTIONS, 997);
      }
    });
  }

  it('lab fixtures are among them and have findings to compare', () => {
    const lab = textFiles(path.join(REPO, 'test', 'fixtures', 'lab'));
    assert.ok(lab.length >= 10);
    assert.ok(lab.some((f) => analyze(readFileSync(f, 'utf8')).findings.some((x) => x.severity === 'warning')));
  });

  it('honours the options: high confidence only, other initial TTLs (every comparison words in English and Japanese)', () => {
    const options: AnalysisOptions[] = [
      { ...DEFAULT_OPTIONS, minimumConfidence: 'high' },
      { ...DEFAULT_OPTIONS, initialTtls: [60, 64, 255] },
    ];
    const files = textFiles(path.join(REPO, 'test', 'fixtures'));
    for (const o of options) for (const f of files) checkEqual(f, readFileSync(f, 'utf8'), o, 4093);
  });

  // Thousands of lines: the parser's windows are cut and resumed many times, flows end mid-stream.
  for (const form of ['nv', 'v39'] as CaptureForm[]) {
    it(`a generated ${form} capture of 12,000 packets (scripts/bench/generate.ts)`, () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lens-stream-'));
      try {
        const expected = writeCapture(dir, form, 12000, 7);
        const file = path.join(dir, `${captureName(form, 12000)}.txt`);
        const text = readFileSync(file, 'utf8');
        assert.ok(expected.forgedLines.length > 10);
        checkEqual(file, text, DEFAULT_OPTIONS, 65536);
        checkEqual(file, text, DEFAULT_OPTIONS, 1 << 30);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('CRLF text and a lone CR across piece borders', () => {
    const text = readFileSync(path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8');
    for (const eol of ['\r\n', '\r']) {
      const t = text.replace(/\n/g, eol);
      for (const size of [1, 2, 3, 50]) checkEqual(`seed with ${JSON.stringify(eol)}`, t, DEFAULT_OPTIONS, size);
    }
  });

  it('a binary capture read as text, and an unterminated last line', () => {
    const pcap = readFileSync(path.join(REPO, 'test', 'fixtures', 'bad', 'mixed-v4-v6.pcap')).toString('utf8');
    checkEqual('mixed-v4-v6.pcap as text', pcap, DEFAULT_OPTIONS, 1000);
    const seed = readFileSync(path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8').trimEnd();
    checkEqual('seed without its last line end', seed, DEFAULT_OPTIONS, 64);
    checkEqual('seed cut inside its last word', seed.slice(0, -3), DEFAULT_OPTIONS, 64);
  });
});
