import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../server/src/core/analyze';
import type { Packet } from '../../server/src/core/packet';
import { parseCapture } from '../../server/src/core/parse';
import { noteWithoutShared, sharedPath } from '../support/shared';
import { assertFindingsWellFormed, assertPacketsTrueToText, lspLines, REPO_ROOT } from './documentInvariants';

/*
 * Property tests (fast-check) over arbitrary text and over mutated real tcpdump lines: the parser
 * never throws, is deterministic, reads every packet the same whether it sits in a whole document
 * or alone (its own lines only), and every finding's range stays valid.
 *
 * Seeds are fixed so a failure reproduces; ROBUSTNESS_SEED=<n> tries another seed, and each
 * property prints its seed and run count.
 */

const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20261124);
const RUNS = Number(process.env.ROBUSTNESS_RUNS ?? 250);

/**
 * Real tcpdump text: the repository's own fixtures, and where ../shared is beside the clone,
 * tcpdump's own regression outputs and Debian tcpdump 4.99 regenerations.
 */
function corpusFiles(): { name: string; lines: string[] }[] {
  const out: { name: string; lines: string[] }[] = [];
  const dirs = [
    ['fixtures', path.join(REPO_ROOT, 'test', 'fixtures')],
    ['regen', sharedPath('corpus', 'regen')],
    ['out', sharedPath('corpus', 'out')],
  ];
  for (const [name, d] of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d, { recursive: true, encoding: 'utf8' }).sort()) {
      if (!f.endsWith('.txt') && !f.endsWith('.out')) continue;
      out.push({ name: `${name}/${f}`, lines: readFileSync(path.join(d, f), 'utf8').split('\n') });
    }
  }
  return out;
}
const CORPUS = corpusFiles();
const CORPUS_LINES = CORPUS.flatMap((f) => f.lines).filter((l) => l.length > 0);

/** A packet as read, with its position taken out: what "the same record" means across offsets. */
function withoutPosition(p: Packet): unknown {
  const shift = p.carrierLine ?? p.startLine;
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v === 'number' && key !== undefined && /^(line|startLine|endLine|carrierLine)$/.test(key))
      return v - shift;
    return v;
  };
  return walk({ ...p, index: 0 });
}

let inputsTried = 0;

/** Everything asked of any text. */
function checkText(text: string): void {
  inputsTried++;
  const first = analyze(text);
  const second = analyze(text);
  assert.deepEqual(JSON.stringify(second.packets), JSON.stringify(first.packets), 'deterministic packets');
  assert.deepEqual(JSON.stringify(second.findings), JSON.stringify(first.findings), 'deterministic findings');
  const lines = lspLines(text);
  assertPacketsTrueToText(text, first, lines);
  assertFindingsWellFormed(text, first, lines);
  if (first.binary) return; // nothing parsed, nothing to split
  for (const p of first.packets) {
    // Alone, but ended as in the document: an unended number at the very end is not read either way.
    // A packet carried by a non-IP frame (NSH ...) needs that frame's head to be read at all.
    const own = lines.slice(p.carrierLine ?? p.startLine, p.endLine + 1).join('\n');
    const alone = parseCapture(p.endLine === lines.length - 1 ? own : `${own}\n`).packets;
    assert.equal(
      alone.length,
      1,
      `packet on line ${p.startLine}: its own lines alone give ${alone.length} packets\n${lines.slice(p.startLine, p.endLine + 1).join('\n')}`,
    );
    assert.deepEqual(
      withoutPosition(alone[0]),
      withoutPosition(p),
      `packet on line ${p.startLine} reads differently alone`,
    );
  }
}

function runProperty<T>(name: string, arb: fc.Arbitrary<T>, toText: (v: T) => string, runs = RUNS): void {
  const started = performance.now();
  fc.assert(
    fc.property(arb, (v) => checkText(toText(v))),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
  console.log(`      ${name}: seed ${SEED}, ${runs} runs, ${(performance.now() - started).toFixed(0)} ms`);
}

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const anyUtf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});
const realLine = fc.nat(CORPUS_LINES.length - 1).map((i) => CORPUS_LINES[i]);

/** One line of a tcpdump-like document: real ones, damaged real ones, junk. */
const docLine = fc.oneof(
  { weight: 5, arbitrary: realLine },
  { weight: 2, arbitrary: fc.tuple(realLine, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1))) },
  { weight: 1, arbitrary: fc.tuple(realLine, fc.string({ maxLength: 3 })).map(([l, pad]) => pad + l) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(realLine, fc.nat(), fc.string({ unit: 'binary', maxLength: 2 }))
      .map(([l, at, s]) => l.slice(0, at % (l.length + 1)) + s + l.slice(at % (l.length + 1))),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);
const lineDocument = fc
  .array(fc.tuple(docLine, lineEnd), { maxLength: 40 })
  .map((ls) => ls.map(([l, e]) => l + e).join(''));

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(' ', '\n', '\r\n', '(', ')', ':', ' > ', 'R', '.', '0', '\t', '\0', '\ufffd'),
    ),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(text: string, m: Mutation): string {
  const at = (n: number): number => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'duplicate':
      return text.slice(0, at(m.at) + m.length) + text.slice(at(m.at));
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'swapLines': {
      const ls = text.split('\n');
      const a = m.a % ls.length;
      const b = m.b % ls.length;
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return ls.join('\n');
    }
  }
}

/** A window of up to 30 consecutive lines of one corpus file, then 1–6 mutations. */
const mutatedCorpusWindow = fc
  .record({
    file: fc.nat(CORPUS.length - 1),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 30 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }),
  })
  .map(({ file, start, length, mutations }) => {
    const lines = CORPUS[file].lines;
    const from = start % lines.length;
    return mutations.reduce(mutate, lines.slice(from, from + length).join('\n'));
  });

describe('robustness: parser properties (fast-check)', function () {
  this.timeout(60000);

  after(() =>
    console.log(`      ${inputsTried} inputs checked; corpus: ${CORPUS.length} files, ${CORPUS_LINES.length} lines`),
  );

  noteWithoutShared("tcpdump's own outputs and regenerations as material", ['corpus']);

  it('arbitrary full-Unicode text', () => {
    runProperty('fc.string(unit binary)', fc.string({ unit: 'binary', maxLength: 400 }), (s) => s);
  });

  it('arbitrary UTF-16 (lone surrogates, NUL, control characters)', () => {
    runProperty('any UTF-16 code units', anyUtf16, (s) => s);
  });

  it('line-structured documents of real, damaged and junk lines with mixed line ends', () => {
    runProperty('line documents', lineDocument, (s) => s);
  });

  it('real corpus windows after deletes, inserts, duplications, line swaps and truncation', () => {
    runProperty('mutated corpus windows', mutatedCorpusWindow, (s) => s, RUNS * 2);
  });

  it('an address cut across two lines by a terminal wrap (found by this property without ../shared)', () => {
    const text =
      '13:55:33.208431 IP (tos 0x0, ttl 125, id 9701, offset 0, flags [none], proto: ICMP (1), length: 1`J84) 10.201.4.2 > 10.2\n' +
      '01.1.2: ICMP echo reply, id 6144, seq 2, length 64\n' +
      '13:55:33.412489 IP (tos 0x0, ttl  64, id 59551, offset 0, flags [DF], proto: ICMP (1), length: 84) 10.201.1.2 > 10.201.4.2: ICMP echo request, id 6144, seq 3, length 64\n' +
      '13:55:33.412543 IP (tos 0x0,';
    checkText(text);
  });

  it('every whole corpus file: the same packets alone as in the document', function () {
    const started = performance.now();
    for (const f of CORPUS) checkText(f.lines.join('\n'));
    console.log(`      ${CORPUS.length} corpus files in ${(performance.now() - started).toFixed(0)} ms`);
  });
});
