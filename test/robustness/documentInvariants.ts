import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis, type Finding } from '../../server/src/core/analyze';
import { messageOf } from '../support/lspClient';
import { displayText } from '../../server/src/core/displayText';
import { describeFinding } from '../../server/src/core/describe';

/*
 * What every analysis must satisfy whatever the input: the checks shared by the bad-input,
 * property and soak tests. Lines are counted the LSP way (LF, CRLF and a lone CR each end a line),
 * by vscode-languageserver-textdocument, not by the parser's own splitter, so the two can disagree.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** Line texts without terminators, exactly as an LSP client numbers them. */
export function lspLines(text: string): string[] {
  const doc = TextDocument.create('untitled:x', 'tcpdump', 1, text);
  const out: string[] = [];
  for (let l = 0; l < doc.lineCount; l++) {
    out.push(
      doc
        .getText({ start: { line: l, character: 0 }, end: { line: l, character: Number.MAX_SAFE_INTEGER } })
        .replace(/\r?\n$|\r$/, ''),
    );
  }
  return out;
}

interface Span {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

function assertSpanInside(lines: readonly string[], s: Span, what: string): void {
  assert.ok(
    Number.isInteger(s.startLine) && s.startLine >= 0 && s.startLine < lines.length,
    `${what}: start line ${s.startLine} outside 0..${lines.length - 1}`,
  );
  assert.ok(
    Number.isInteger(s.endLine) && s.endLine >= 0 && s.endLine < lines.length,
    `${what}: end line ${s.endLine} outside 0..${lines.length - 1}`,
  );
  assert.ok(
    s.startCharacter >= 0 && s.startCharacter <= lines[s.startLine].length,
    `${what}: start character ${s.startCharacter} beyond line ${s.startLine} (length ${lines[s.startLine].length})`,
  );
  assert.ok(
    s.endCharacter >= 0 && s.endCharacter <= lines[s.endLine].length,
    `${what}: end character ${s.endCharacter} beyond line ${s.endLine} (length ${lines[s.endLine].length})`,
  );
  assert.ok(
    s.startLine < s.endLine || (s.startLine === s.endLine && s.startCharacter <= s.endCharacter),
    `${what}: range ends before it starts`,
  );
}

/**
 * Packets must be true to the text: in order, not overlapping, inside the document, and every
 * number the analysis uses must be printed literally where the packet says it is.
 */
export function assertPacketsTrueToText(text: string, a: Analysis, lines = lspLines(text)): void {
  assert.equal(a.lines.length, lines.length, 'the analysis counts lines as an LSP client does');
  let previousEnd = -1;
  a.packets.forEach((p, i) => {
    assert.equal(p.index, i, 'packet indices are their order');
    assert.ok(
      p.startLine > previousEnd,
      `packet ${i} (line ${p.startLine}) overlaps the previous one (ends ${previousEnd})`,
    );
    assert.ok(
      p.startLine <= p.endLine && p.endLine < lines.length,
      `packet ${i}: lines ${p.startLine}..${p.endLine} outside the document`,
    );
    assert.equal(p.endLineLength, lines[p.endLine].length, `packet ${i}: endLineLength`);
    previousEnd = p.endLine;
    // A terminal hard-wraps at a column, not at a space: an address may be cut across two lines,
    // and the parser joins such lines as they were printed (see hardWrap.test.ts).
    const ownLines = lines.slice(p.startLine, p.endLine + 1);
    const inOwnLines = (s: string): boolean => ownLines.join('\n').includes(s) || ownLines.join('').includes(s);
    assert.ok(inOwnLines(p.src), `packet ${i}: source ${JSON.stringify(p.src)} is not in its own lines`);
    assert.ok(inOwnLines(p.dst), `packet ${i}: destination ${JSON.stringify(p.dst)} is not in its own lines`);
    if (p.ttl !== undefined) {
      assert.ok(Number.isInteger(p.ttl) && p.ttl >= 0 && p.ttl <= 255, `packet ${i}: TTL ${p.ttl} is no TTL`);
      if (p.ttlRange) {
        assert.ok(
          p.ttlRange.line >= p.startLine && p.ttlRange.line <= p.endLine,
          `packet ${i}: TTL range outside the packet`,
        );
        // Digits that read as the TTL ("061" after an edit is still 61), nothing else.
        const printed = lines[p.ttlRange.line].slice(p.ttlRange.start, p.ttlRange.end);
        assert.ok(
          /^\d+$/.test(printed) && Number(printed) === p.ttl,
          `packet ${i}: TTL range holds ${JSON.stringify(printed)}, not the TTL ${p.ttl}`,
        );
      }
    }
    if (p.flagsRange) {
      assert.ok(
        p.flagsRange.line >= p.startLine && p.flagsRange.line <= p.endLine,
        `packet ${i}: flags range outside the packet`,
      );
      assertSpanInside(
        lines,
        {
          startLine: p.flagsRange.line,
          startCharacter: p.flagsRange.start,
          endLine: p.flagsRange.line,
          endCharacter: p.flagsRange.end,
        },
        `packet ${i} flags`,
      );
    }
    for (const [name, v, max] of [
      ['seq', p.seq, 0xffffffff],
      ['ack', p.ack, 0xffffffff],
      ['win', p.win, 0xffffffff],
    ] as const) {
      if (v !== undefined) {
        assert.ok(Number.isInteger(v) && v >= 0 && v <= max, `packet ${i}: ${name} ${v} out of range`);
        assert.ok(inOwnLines(String(v)), `packet ${i}: ${name} ${v} is not printed in its lines`);
      }
    }
  });
}

/**
 * Findings: inside the document, at most one per packet, and only on packets' lines (or, for a
 * document-level notice, on line 0).
 */
export function assertFindingsWellFormed(text: string, a: Analysis, lines = lspLines(text)): void {
  const perPacket = new Map<number, Finding>();
  for (const f of a.findings) {
    const what = `${f.code} finding on line ${f.startLine}`;
    assertSpanInside(lines, f, what);
    assert.ok(describeFinding(f, 'en').length > 0, `${what}: empty message`);
    if (f.packet >= 0) {
      const p = a.packets[f.packet];
      assert.ok(p, `${what}: names packet ${f.packet}, which does not exist`);
      assert.ok(
        !perPacket.has(f.packet),
        `${what}: packet ${f.packet} already has a ${perPacket.get(f.packet)?.code} finding`,
      );
      perPacket.set(f.packet, f);
      assert.ok(
        f.startLine >= p.startLine && f.endLine <= p.endLine,
        `${what}: range leaves its packet (lines ${p.startLine}..${p.endLine})`,
      );
    } else {
      assert.equal(f.startLine, 0, `${what}: a document-level notice sits on line 0`);
    }
    for (const r of f.related) {
      assertSpanInside(
        lines,
        { startLine: r.line, startCharacter: r.startCharacter, endLine: r.line, endCharacter: r.endCharacter },
        `${what}, related`,
      );
      assert.ok(a.packetAtLine[r.line] >= 0, `${what}: related location on line ${r.line}, which is no packet's line`);
    }
  }
}

/** analyze() within a time budget, plus both invariant sets. */
export function analyzeChecked(text: string, budgetMs: number): Analysis {
  const started = performance.now();
  const a = analyze(text);
  const took = performance.now() - started;
  assert.ok(took <= budgetMs, `analyze() took ${took.toFixed(0)} ms, budget ${budgetMs} ms`);
  const lines = lspLines(text);
  assertPacketsTrueToText(text, a, lines);
  assertFindingsWellFormed(text, a, lines);
  return a;
}

/** A finding as the editor shows it: where, what kind, what it says (capture text made visible, as toLsp does). */
export const shown = (f: Finding, lineShift = 0): string =>
  `${f.startLine + lineShift}:${f.startCharacter}-${f.endLine + lineShift}:${f.endCharacter} ${f.code} ${displayText(describeFinding(f, 'en'))}`;
export const shownDiagnostic = (d: Diagnostic): string =>
  `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code} ${messageOf(d)}`;

/** Published diagnostics must be exactly the core's findings for that text, ranges inside the text. */
export function assertDiagnosticsEqualAnalysis(
  diagnostics: readonly Diagnostic[],
  text: string,
  a = analyze(text),
): void {
  const lines = lspLines(text);
  for (const d of diagnostics) {
    assertSpanInside(
      lines,
      {
        startLine: d.range.start.line,
        startCharacter: d.range.start.character,
        endLine: d.range.end.line,
        endCharacter: d.range.end.character,
      },
      `diagnostic ${d.code}`,
    );
    for (const r of d.relatedInformation ?? []) {
      const s = r.location.range;
      assertSpanInside(
        lines,
        {
          startLine: s.start.line,
          startCharacter: s.start.character,
          endLine: s.end.line,
          endCharacter: s.end.character,
        },
        `diagnostic ${d.code}, related`,
      );
    }
  }
  assert.deepEqual(
    diagnostics.map(shownDiagnostic),
    a.findings.map((f) => shown(f)),
  );
}

/** Small seeded PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
