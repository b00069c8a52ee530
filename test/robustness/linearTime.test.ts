import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze } from '../../server/src/core/analyze';
import { hoverAt } from '../../server/src/core/hover';
import { analyzeIncrementally, reanalyze } from '../../server/src/core/incrementalAnalysis';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { conversations } from '../../server/src/core/outline';
import { endsBeforeFlags, readableLastLine, splitLines } from '../../server/src/core/parse';
import { analyzeInTwoPasses, FollowAnalysis } from '../../server/src/core/streamAnalysis';
import { fixture } from './documentInvariants';

/*
 * Untrusted text must cost time in proportion to its length: one pattern that rescans a line from
 * every start position (`/\w+$/` on `xxx…x.`) froze the server and hung the CLI on a 1 MB line.
 * Adversarial 1 MB lines — long runs of word characters, spaces, digits, dots, brackets, tcpdump
 * keywords, behind real head-line prefixes, with and without a final line end — go through every
 * path that reads text: the whole-text analysis, both streamed analyses, the incremental
 * re-analysis after an edit, and the hover and outline on the result.
 *
 * Linear code reads such a line in tens of milliseconds; the bounds are two orders of magnitude
 * above that (the machine is shared and noisy), and quadratic code misses them by far: the
 * 100 KB input alone takes it seconds. Each input is first tried at 100 KB, so quadratic code
 * fails there instead of running for minutes on 1 MB.
 * LINEAR_SEED=<n> tries another seed, LINEAR_RUNS=<n> more inputs.
 */

const SEED = Number(process.env.LINEAR_SEED ?? 20261124);
const RUNS = Number(process.env.LINEAR_RUNS ?? 40);

const SMALL = 100_000;
const LARGE = 1_000_000;
/** Bounds for one path over one input; linear code stays 50–100× under them. */
const SMALL_BUDGET_MS = 400;
const LARGE_BUDGET_MS = 3000;
/** 10× the input may take at most this many times as long (linear: ~10; quadratic: ~100). */
const RATIO_LIMIT = 30;
/** Below this a time is timer and GC noise, not a measure of growth. */
const NOISE_FLOOR_MS = 10;

const IPV4_HEADER = 'IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40) ';
/** Where an adversarial run may start: nowhere in particular, or inside each part of a head line. */
const PREFIXES = [
  '',
  'IP ',
  'IP (',
  IPV4_HEADER,
  `${IPV4_HEADER}10.0.0.1.5 > 10.0.0.2.6: `,
  `${IPV4_HEADER}10.0.0.1.5 > 10.0.0.2.6: tcp 0`,
  '12:00:00.000000 IP 10.0.0.1.5 > 10.0.0.2.6: ',
  '1  12:00:00.000000 ',
  ' 00:00:00.000001 ',
  '00:11:22:33:44:55 > 66:77:88:99:aa:bb, ',
  'eth0  In  ',
];
/** What the run repeats: single characters of each class, and the keywords the parser looks for. */
const UNITS = [
  'x',
  ' ',
  '1',
  '.',
  '[',
  ']',
  '(',
  ')',
  ':',
  '\t',
  '_',
  'x.',
  '1.',
  '1:',
  ': ',
  '> ',
  'a(',
  ', ',
  '] ',
  '[x] ',
  ': Flags [',
  'Flags [',
  'ttl ',
  'ttl 1',
  'id ',
  'tos 0x',
  'flags [',
  'proto x',
  'length ',
  'seq ',
  ' 1:1(',
  'ack ',
  'a > ',
  'IP ',
  ': IP ',
  'MPLS (',
  'ethertype ',
  'caplen 1 len 1 ',
];

interface Shape {
  prefix: string;
  unit: string;
  /** Ends the run: what makes an anchored-at-end pattern fail after scanning it all. */
  last: string;
  newline: boolean;
}

function textOf(s: Shape, size: number): string {
  const run = Math.max(1, Math.ceil((size - s.prefix.length - s.last.length) / s.unit.length));
  return `${s.prefix}${s.unit.repeat(run)}${s.last}${s.newline ? '\n' : ''}`;
}

const describeShape = (s: Shape): string =>
  `${JSON.stringify(s.prefix.slice(0, 24))} + ${JSON.stringify(s.unit)}… + ${JSON.stringify(s.last)}${s.newline ? ' + \\n' : ''}`;

function* pieces(text: string, size: number): Iterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** A small real capture the long line is pasted after, for the incremental path. */
const BASE = fixture('seed-firewall-rst.txt');

const PATHS: Record<string, (text: string) => void> = {
  analyze: (text) => void analyze(text),
  'streamed, two passes': (text) => void analyzeInTwoPasses(() => pieces(text, 1 << 16)),
  'streamed, live': (text) => {
    const live = new FollowAnalysis();
    for (const piece of pieces(text, 1 << 16)) live.push(piece);
    live.end();
  },
  'incremental, pasted at the end': (text) => {
    const state = analyzeIncrementally(BASE, DEFAULT_OPTIONS);
    const from = splitLines(BASE).length - 1;
    const edited = BASE + text;
    const started = performance.now();
    reanalyze(state, edited, { from, oldEnd: from + 1, newEnd: splitLines(edited).length }, DEFAULT_OPTIONS);
    // Only the re-analysis is this path's time; the base analysis is a few lines.
    elapsedOverride = performance.now() - started;
  },
  'hover and outline': (text) => {
    const a = analyze(text);
    const started = performance.now();
    for (let line = 0; line < Math.min(a.lines.length, 2); line++) {
      const length = a.lines[line].length;
      for (const at of [0, 4, 40, length >> 1, length - 8, length - 1]) hoverAt(a, line, at);
    }
    conversations(a);
    elapsedOverride = performance.now() - started;
  },
};

/** A path that times only part of its work sets this. */
let elapsedOverride: number | undefined;

function timeOf(run: () => void): number {
  elapsedOverride = undefined;
  const started = performance.now();
  run();
  return elapsedOverride ?? performance.now() - started;
}

/** The time of `run`, tried again once when over `budget` (one GC pause or busy neighbour is not a failure). */
function timeWithin(run: () => void, budget: number): number {
  const first = timeOf(run);
  return first <= budget ? first : Math.min(first, timeOf(run));
}

function assertLinear(s: Shape): void {
  for (const [name, run] of Object.entries(PATHS)) {
    const small = textOf(s, SMALL);
    const tSmall = timeWithin(() => run(small), SMALL_BUDGET_MS);
    assert.ok(tSmall <= SMALL_BUDGET_MS, `${name}: ${describeShape(s)} took ${tSmall.toFixed(0)} ms for 100 KB`);
    const large = textOf(s, LARGE);
    const tLarge = timeWithin(() => run(large), LARGE_BUDGET_MS);
    assert.ok(tLarge <= LARGE_BUDGET_MS, `${name}: ${describeShape(s)} took ${tLarge.toFixed(0)} ms for 1 MB`);
    const ratio = tLarge / Math.max(tSmall, NOISE_FLOOR_MS);
    assert.ok(
      ratio < RATIO_LIMIT,
      `${name}: ${describeShape(s)}: 1 MB took ${ratio.toFixed(1)}× as long as 100 KB ` +
        `(${tLarge.toFixed(0)} ms vs ${tSmall.toFixed(0)} ms)`,
    );
  }
}

describe('untrusted text takes linear time (adversarial 1 MB lines)', function () {
  this.timeout(300_000);

  // The inputs that were quadratic, kept by name.
  it('a long word not at the end of an unended last line (`/\\w+$/` rescanned it from every start)', () => {
    for (const prefix of ['', IPV4_HEADER]) assertLinear({ prefix, unit: 'x', last: '.', newline: false });
  });

  it('a TCP summary of repeated `: Flags [` (the cut-flags pattern rescanned to the end from each)', () => {
    const prefix = `${IPV4_HEADER}10.0.0.1.5 > 10.0.0.2.6: tcp 0`;
    assertLinear({ prefix, unit: ': Flags [', last: ']x', newline: true });
    assertLinear({ prefix, unit: ': Flags [', last: ']x', newline: false });
  });

  it('a long address that repeats inside the header before it (the hover searched it at every place)', () => {
    // `IP (aaaa…a) aaa…a > b: x`: the hover looks for the source address as a whole word.
    for (const unit of ['a', 'ab', '1.', 'a:']) {
      for (const size of [SMALL, LARGE]) {
        const half = unit.repeat(Math.ceil(size / 3 / unit.length));
        const text = `IP (${half}${half}) ${half} > b: x\n`;
        const a = analyze(text);
        assert.ok(a.packets[0]?.src === half, `${JSON.stringify(unit)}…: the long address is the packet source`);
        const took = timeWithin(
          () => hoverAt(a, 0, text.length - 6),
          size === SMALL ? SMALL_BUDGET_MS : LARGE_BUDGET_MS,
        );
        assert.ok(
          took <= (size === SMALL ? SMALL_BUDGET_MS : LARGE_BUDGET_MS),
          `hover on ${JSON.stringify(unit)}…: ${took.toFixed(0)} ms for ${size} characters`,
        );
      }
    }
  });

  it('random runs of each character class and keyword, behind each head-line prefix', () => {
    let tried = 0;
    fc.assert(
      fc.property(
        fc.record({
          prefix: fc.constantFrom(...PREFIXES),
          unit: fc.oneof(
            fc.constantFrom(...UNITS),
            fc.string({ unit: fc.constantFrom(...'x1 .:[]()>,_-\t'.split('')), minLength: 1, maxLength: 6 }),
          ),
          last: fc.constantFrom('.', ' ', ']x', ')', '!', 'x', '', '\u00e9'),
          newline: fc.boolean(),
        }),
        (s) => {
          tried++;
          assertLinear(s);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`      linear time: seed ${SEED}, ${tried} shapes × ${Object.keys(PATHS).length} paths`);
  });
});

describe('the scans that replaced end-anchored patterns read as the patterns did', () => {
  const text = (alphabet: string, maxLength: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength });

  it('readableLastLine drops what /\\w+$/ matched, and only that', () => {
    fc.assert(
      fc.property(text('ab_Z09 .:-\u00e9\t', 12), (line) => {
        const m = /\w+$/.exec(line);
        assert.equal(readableLastLine(['first', line]), m ? line.slice(0, m.index) : undefined, JSON.stringify(line));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('endsBeforeFlags answers what /:(?: F(?:l(?:a(?:g(?:s(?: (?:\\[[^\\]]*)?)?)?)?)?)?)? ?$/ did', () => {
    const pattern = /:(?: F(?:l(?:a(?:g(?:s(?: (?:\[[^\]]*)?)?)?)?)?)?)? ?$/;
    const pieces = fc.array(fc.constantFrom(':', ' ', 'F', 'l', 'a', 'g', 's', '[', ']', 'x', ': Flags [', ': Fl'), {
      maxLength: 10,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          text(': Flags[]x', 14),
          pieces.map((p) => p.join('')),
        ),
        (s) => {
          assert.equal(endsBeforeFlags(s), pattern.test(s), JSON.stringify(s));
        },
      ),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
