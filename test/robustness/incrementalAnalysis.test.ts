import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../server/src/core/analyze';
import {
  PendingLineChange,
  analyzeIncrementally,
  lastReanalysis,
  reanalyze,
  type IncrementalState,
} from '../../server/src/core/incrementalAnalysis';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { splitLines } from '../../server/src/core/parse';
import { hasShared, noteWithoutShared, sharedPath } from '../support/shared';

/*
 * Issue 5/7: incremental re-analysis after random edits equals a fresh analyze() of the final text.
 * Real texts (test/fixtures, ../shared/corpus) get random insertions, deletions and replacements:
 * spans inside a line, across line ends and packet boundaries, line breaks of every kind, whole
 * lines from other captures (so packets appear, vanish and change source). Several edits may pile
 * up before one re-analysis, as they do behind the server's debounce.
 * Seeds are fixed (INCREMENTAL_SEED=<n> tries another); each property prints its seed and counts.
 */

const SEED = Number(process.env.INCREMENTAL_SEED ?? 20261124);
const RUNS = Number(process.env.INCREMENTAL_RUNS ?? 150);
const REPO = path.resolve(__dirname, '..', '..');

function textsIn(dir: string, pick: (f: string) => boolean): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (pick(f)) out.push({ name: f, text: readFileSync(path.join(dir, f), 'utf8') });
  }
  return out;
}

const FIXTURES = textsIn(path.join(REPO, 'test', 'fixtures'), (f) => f.endsWith('.txt') && !f.endsWith('README.txt'));
const CORPUS = (
  hasShared('corpus')
    ? [
        ...textsIn(sharedPath('corpus', 'regen'), (f) => f.endsWith('.txt')),
        ...textsIn(sharedPath('corpus', 'legacy-3.9.8'), (f) => f.endsWith('.out')).slice(0, 40),
      ]
    : []
).filter((t) => t.text.length < 200_000);
const TEXTS = [...FIXTURES, ...CORPUS];
const LINES = TEXTS.flatMap((t) => t.text.split('\n').slice(0, 60)).filter((l) => l.length > 0);

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** What an edit inserts: tcpdump lines (whole or cut), line breaks of every kind, or short noise. */
const insertion = fc.oneof(
  fc.constantFrom(
    '',
    '\n',
    '\r\n',
    '\r',
    ' ',
    'R',
    'Flags [R.]',
    'ttl 63',
    '1',
    ':',
    '(',
    '\u0000\u0000\u0001\u0002\u0003',
  ),
  fc.nat({ max: LINES.length - 1 }).map((i) => `${LINES[i]}\n`),
  fc
    .tuple(fc.nat({ max: LINES.length - 1 }), fc.nat({ max: 200 }), fc.nat({ max: 200 }))
    .map(([i, a, b]) => LINES[i].slice(Math.min(a, b), Math.max(a, b))),
  fc.string({ maxLength: 6 }),
);

/** An edit as fractions of the text, so it lands anywhere whatever the text's length. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  span: fc.oneof(fc.constant(0), fc.nat({ max: 20 }), fc.nat({ max: 600 })),
  text: insertion,
});

/** Picks one of the two hand-overs, deterministically from the burst. */
const raw = (burst: readonly { at: number }[]): boolean => burst[0].at < 0.5;

function applyEdit(text: string, e: { at: number; span: number; text: string }): Edit {
  const start = Math.min(text.length, Math.floor(e.at * text.length));
  return { start, end: Math.min(text.length, start + e.span), text: e.text };
}

/** The line holding character `offset`, counted the way splitLines counts (CRLF, LF, CR). */
function lineOf(text: string, offset: number): number {
  return splitLines(text.slice(0, offset)).length - 1;
}

/** What the compared analyses must agree on: every packet, verdict and finding, and the line index. */
function comparable(a: Analysis): unknown {
  return {
    packets: a.packets,
    findings: a.findings,
    verdicts: a.verdicts,
    lines: a.lines,
    packetAtLine: [...a.packetAtLine],
    flows: a.flows,
    baselines: a.baselines,
    binary: a.binary,
  };
}

describe('incremental re-analysis equals a fresh analysis (fast-check, real texts)', function () {
  this.timeout(300_000);

  noteWithoutShared('random edit bursts on the corpus texts too', ['corpus']);
  it(`after random edit bursts on ${TEXTS.length} real texts`, () => {
    const modes = new Map<string, number>();
    let edits = 0;
    let packetsSeen = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: TEXTS.length - 1 }),
        fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (which, bursts) => {
          let text = TEXTS[which].text;
          let state: IncrementalState = analyzeIncrementally(text, DEFAULT_OPTIONS);
          for (const burst of bursts) {
            const pending = new PendingLineChange(state.analysis.lines.length);
            for (const raw of burst) {
              const e = applyEdit(text, raw);
              const linesBefore = splitLines(text).length;
              pending.add(lineOf(text, e.start), lineOf(text, e.end), linesBefore);
              text = text.slice(0, e.start) + e.text + text.slice(e.end);
              edits++;
            }
            const lines = splitLines(text);
            const final = text;
            // Both ways of handing over the text: as lines plus its start (the server), or whole.
            state = reanalyze(
              state,
              raw(burst) ? final : { lines, start: final.slice(0, 4096), text: () => final },
              pending.change(lines.length),
              DEFAULT_OPTIONS,
            );
            modes.set(lastReanalysis!.mode, (modes.get(lastReanalysis!.mode) ?? 0) + 1);
            const fresh = analyze(text, DEFAULT_OPTIONS);
            packetsSeen += fresh.packets.length;
            assert.deepStrictEqual(comparable(state.analysis), comparable(fresh));
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `      seed ${SEED}: ${RUNS} documents, ${edits} edits, re-analyses by mode ${JSON.stringify(Object.fromEntries(modes))}, ${packetsSeen} packets compared`,
    );
    assert.ok(
      (modes.get('sources') ?? 0) > 0 && (modes.get('packets') ?? 0) > 0,
      'both incremental paths were exercised',
    );
  });

  it('re-parses only around a one-line edit in a large document, and still equals analyze()', () => {
    // Ten copies of a real capture: an edit in the middle must not re-read the rest.
    const unit = FIXTURES.find((t) => t.name.endsWith('seed-firewall-rst.nv.txt'))!.text;
    let text = unit.repeat(10);
    let state = analyzeIncrementally(text, DEFAULT_OPTIONS);
    const lines = splitLines(text);
    const line = Math.floor(lines.length / 2) + 1;
    const pending = new PendingLineChange(lines.length);
    pending.add(line, line, lines.length);
    lines[line] = lines[line].replace('ttl 64', 'ttl 65');
    text = lines.join('\n');
    state = reanalyze(state, text, pending.change(lines.length), DEFAULT_OPTIONS);
    assert.equal(lastReanalysis!.mode, 'sources');
    assert.ok(lastReanalysis!.reparsedLines <= 6, `re-parsed ${lastReanalysis!.reparsedLines} lines`);
    assert.deepStrictEqual(comparable(state.analysis), comparable(analyze(text, DEFAULT_OPTIONS)));
  });
});
