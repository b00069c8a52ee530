import {
  analyzeStages,
  assembleAnalysis,
  analyzePackets,
  judgeAtEnd,
  type Analysis,
  type Finding,
  type FindingCode,
  type PacketState,
} from './analyze';
import { feedsBaseline, SourceState } from './baseline';
import { looksBinary } from './binaryText';
import { ConversationTracker, flowKeyOf, loneReset } from './conversation';
import type { TcpFlow } from './flows';
import type { AnalysisOptions } from './options';
import { isReset, type Packet } from './packet';
import { parseLineRange, readableLastLine, splitLines, type LineRangeParse } from './parse';
import { KEEP_PACKETS } from './retain';
import type { ResetVerdict } from './verdict';

/*
 * Re-analysis after an edit, equal to analyze() of the new text but without redoing it all:
 * - parsing restarts at the head of the last packet before the edit and stops at the first head
 *   after it (parseLineRange explains why that is exact); packets past it are kept, moved;
 * - when the edit leaves the packet count alone (typing inside packets, the common case), only
 *   the sources and TCP conversations of the reparsed packets get new baselines, flows and
 *   verdicts; the rest are kept. Otherwise baselines, flows and verdicts are rebuilt from the
 *   packets (no parse).
 * A state is consumed by the next: its packet objects are moved in place.
 */

export interface IncrementalState {
  analysis: Analysis;
  /** The per-source and per-conversation state behind it (consumed by the next re-analysis). */
  state: PacketState;
  prefixedHeads: boolean | undefined;
  /** source address → indices of all its packets; built on the first edit that needs it. */
  packetsBySource?: Map<string, number[]>;
}

/** Lines [from, oldEnd) of the analysed text became lines [from, newEnd) of the new one; all others are unchanged. */
export interface LineChange {
  from: number;
  oldEnd: number;
  newEnd: number;
}

/** How much of the last re-analysis was reused, for tests and the benchmark. */
export interface ReanalysisStats {
  reparsedLines: number;
  reparsedPackets: number;
  /** 'sources': only touched sources re-judged; 'packets': rebuilt from packets; 'full': analyze(). */
  mode: 'sources' | 'packets' | 'full';
  touchedSources: number;
}

export let lastReanalysis: ReanalysisStats | undefined;

/** A fresh analysis to build on; `lines`, when given, must be exactly splitLines(text). */
export function analyzeIncrementally(text: string, options: AnalysisOptions, lines?: string[]): IncrementalState {
  return analyzeStages(text, options, lines);
}

const sameOptions = (a: AnalysisOptions, b: AnalysisOptions): boolean =>
  a.minimumConfidence === b.minimumConfidence &&
  a.initialTtls.length === b.initialTtls.length &&
  a.initialTtls.every((t, i) => t === b.initialTtls[i]) &&
  (a.spreadRule?.weakStepHops ?? -1) === (b.spreadRule?.weakStepHops ?? -1) &&
  (a.spreadRule?.farSourceHops ?? -1) === (b.spreadRule?.farSourceHops ?? -1);

const RESET_CODES = new Set<FindingCode>(['ttl-mismatch', 'mac-mismatch', 'rst-sequence', 'rst-header']);

/** The line a packet's parse starts from: its head, or the head of the frame that carries it. */
const headLine = (p: Packet): number => p.carrierLine ?? p.startLine;

/** Index of the first packet whose start line is ≥ line (packets are in line order). */
function firstPacketFrom(packets: readonly Packet[], line: number): number {
  let lo = 0;
  let hi = packets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (packets[mid].startLine < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function moveLines(p: Packet, delta: number): void {
  p.startLine += delta;
  p.endLine += delta;
  if (p.carrierLine !== undefined) p.carrierLine += delta;
  if (p.ttlRange) p.ttlRange.line += delta;
  if (p.flagsRange) p.flagsRange.line += delta;
}

/**
 * The new text, for reanalyze(): its lines (exactly splitLines of it), its start (at least its
 * first 4096 characters, or all of it: enough to tell a binary capture), and the whole text, only
 * asked for when a fresh analysis is needed (an editor keeps lines; joining them costs the document).
 */
export interface EditedText {
  lines: string[];
  start: string;
  text: () => string;
}

/** The analysis of the edited text after `change`, given the state of the text before it. */
export function reanalyze(
  prev: IncrementalState,
  edited: EditedText | string,
  change: LineChange,
  options: AnalysisOptions,
): IncrementalState {
  const {
    lines,
    start: textStart,
    text,
  } = typeof edited === 'string' ? { lines: splitLines(edited), start: edited, text: () => edited } : edited;
  const old = prev.analysis;
  if (!sameOptions(old.options, options) || old.binary || looksBinary(textStart)) {
    lastReanalysis = { reparsedLines: lines.length, reparsedPackets: -1, mode: 'full', touchedSources: -1 };
    return analyzeIncrementally(text(), options, lines);
  }
  const delta = change.newEnd - change.oldEnd;
  const oldPackets = old.packets;

  // Restart at the head of the last packet that starts before the edit (or at the top).
  const before = firstPacketFrom(oldPackets, change.from);
  const keep = before > 0 ? before - 1 : 0;
  const start = before > 0 ? headLine(oldPackets[before - 1]) : 0;
  const prefixed = before > 0 ? prev.prefixedHeads : undefined;

  const last = lines.length - 1;
  const readable = readableLastLine(lines);
  const lastLine = lines[last];
  // The parser reads the last line without its unended word (as parseCapture does), in place.
  if (readable !== undefined) lines[last] = readable;
  let parsed: LineRangeParse;
  let suffixFrom: number;
  try {
    parsed = parseLineRange(lines, start, prefixed, change.newEnd);
    suffixFrom =
      parsed.stoppedAt < lines.length ? firstPacketFrom(oldPackets, parsed.stoppedAt - delta) : oldPackets.length;
    if (before === 0 && parsed.prefixedHeads !== prev.prefixedHeads && parsed.stoppedAt < lines.length) {
      // The first head changed its kind: every later head line must be judged again.
      const rest = parseLineRange(lines, parsed.stoppedAt, parsed.prefixedHeads, Infinity);
      parsed = {
        packets: [...parsed.packets, ...rest.packets],
        prefixedHeads: parsed.prefixedHeads,
        stoppedAt: lines.length,
      };
      suffixFrom = oldPackets.length;
    }
  } finally {
    lines[last] = lastLine;
  }
  const mid = parsed.packets;
  for (let i = 0; i < mid.length; i++) {
    mid[i].index = keep + i;
    if (readable !== undefined && mid[i].endLine === last) mid[i].endLineLength = lastLine.length;
  }

  const shift = keep + mid.length - suffixFrom;
  const packets: Packet[] = oldPackets.slice(0, keep);
  for (const p of mid) packets.push(p);
  for (let i = suffixFrom; i < oldPackets.length; i++) {
    const p = oldPackets[i];
    if (delta !== 0) moveLines(p, delta);
    p.index += shift;
    packets.push(p);
  }

  // packetAtLine: kept before the restart, rebuilt in between, moved after.
  const packetAtLine = new Int32Array(lines.length);
  packetAtLine.set(old.packetAtLine.subarray(0, start));
  const midEnd = parsed.stoppedAt;
  packetAtLine.fill(-1, start, midEnd);
  for (const p of mid) for (let l = p.startLine; l <= p.endLine; l++) packetAtLine[l] = p.index;
  const tail = old.packetAtLine.subarray(midEnd - delta);
  if (shift === 0) packetAtLine.set(tail, midEnd);
  else for (let i = 0; i < tail.length; i++) packetAtLine[midEnd + i] = tail[i] < 0 ? -1 : tail[i] + shift;

  const stats: ReanalysisStats = {
    reparsedLines: midEnd - start,
    reparsedPackets: mid.length,
    mode: 'packets',
    touchedSources: -1,
  };
  lastReanalysis = stats;

  if (shift !== 0) {
    // Packet numbers moved: everything that names packets by index is rebuilt from the packets.
    return { ...analyzePackets(lines, packets, options, false, packetAtLine), prefixedHeads: parsed.prefixedHeads };
  }

  // Same packet numbers: packets [keep, suffixFrom) were replaced; only their sources and
  // conversations change, and those are fed again from their packets.
  stats.mode = 'sources';
  const removed = oldPackets.slice(keep, suffixFrom);
  const inEdit = (i: number): boolean => i >= keep && i < suffixFrom;
  const bySource = prev.packetsBySource ?? indexBySource(oldPackets);
  const state = prev.state;

  const touchedSources = new Set<string>();
  const touchedFlows = new Set<string>();
  for (const p of [...removed, ...mid]) {
    touchedSources.add(p.src);
    const key = flowKeyOf(p);
    if (key !== undefined) touchedFlows.add(key);
  }
  stats.touchedSources = touchedSources.size;
  for (const p of removed) state.resets.delete(p.index);

  const baselines = new Map(old.baselines);
  const rejudge = new Set<number>();
  for (const source of touchedSources) {
    const list = spliceIndices(
      bySource.get(source) ?? [],
      keep,
      suffixFrom,
      mid.filter((p) => p.src === source).map((p) => p.index),
    );
    if (list.length === 0) bySource.delete(source);
    else bySource.set(source, list);
    let s: SourceState | undefined;
    for (const i of list) {
      const p = packets[i];
      if (isReset(p)) rejudge.add(i);
      if (!feedsBaseline(p)) continue;
      s ??= new SourceState(source, KEEP_PACKETS, options.initialTtls);
      s.add(p);
    }
    if (s) state.sources.set(source, s);
    else state.sources.delete(source);
    if (s?.isBaseline) baselines.set(source, s.view());
    else baselines.delete(source);
  }

  let flows = old.flows;
  if (touchedFlows.size > 0) {
    const conversations = state.conversations.conversations;
    const replaced = new Map<TcpFlow, TcpFlow | null>();
    const added: TcpFlow[] = [];
    for (const key of touchedFlows) {
      const before = conversations.get(key);
      const list = spliceIndices(
        before?.flow?.packets ?? [],
        keep,
        suffixFrom,
        mid.filter((p) => flowKeyOf(p) === key).map((p) => p.index),
      );
      if (list.length === 0) {
        conversations.delete(key);
        if (before) replaced.set(before.flow!, null);
        continue;
      }
      const fresh = new ConversationTracker(KEEP_PACKETS, options.initialTtls);
      for (const i of list) {
        const r = fresh.add(packets[i], key);
        if (!r) continue;
        r.side.awaitingData.push(r);
        state.resets.set(i, r);
        rejudge.add(i);
      }
      fresh.closeAll();
      const c = fresh.conversations.get(key)!;
      conversations.set(key, c);
      if (before) replaced.set(before.flow!, c.flow!);
      else added.push(c.flow!);
    }
    const next: TcpFlow[] = [];
    for (const f of old.flows) {
      const r = replaced.has(f) ? replaced.get(f) : f;
      if (r) next.push(r);
    }
    next.push(...added);
    // analyze() lists conversations in the order of their first packet.
    flows = next.sort((x, y) => x.packets[0] - y.packets[0]);
  }
  for (const p of mid) {
    if (!isReset(p) || flowKeyOf(p) !== undefined) continue;
    state.resets.set(p.index, loneReset(p, p));
    rejudge.add(p.index);
  }

  const verdicts: ResetVerdict[] = old.verdicts.filter((v) => !rejudge.has(v.packet) && !inEdit(v.packet));
  for (const i of rejudge) verdicts.push(judgeAtEnd(state, i, options));
  verdicts.sort((x, y) => x.packet - y.packet);

  // With no line moved, a verdict kept as it was words its finding as it was (its related packets
  // are its own source's or conversation's, both untouched).
  let unchanged: Map<number, Finding> | undefined;
  if (delta === 0) {
    unchanged = new Map();
    for (const f of old.findings)
      if (RESET_CODES.has(f.code) && !rejudge.has(f.packet) && !inEdit(f.packet)) unchanged.set(f.packet, f);
  }
  return {
    analysis: assembleAnalysis(lines, packets, baselines, flows, verdicts, options, false, packetAtLine, unchanged),
    state,
    prefixedHeads: parsed.prefixedHeads,
    packetsBySource: bySource,
  };
}

function indexBySource(packets: readonly Packet[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of packets) {
    const list = out.get(p.src);
    if (list) list.push(p.index);
    else out.set(p.src, [p.index]);
  }
  return out;
}

/** `sorted` without the indices in [from, to), with `inserted` (all in [from, to), ascending) in their place. */
function spliceIndices(sorted: readonly number[], from: number, to: number, inserted: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < sorted.length && sorted[i] < from) out.push(sorted[i++]);
  while (i < sorted.length && sorted[i] < to) i++;
  for (const x of inserted) out.push(x);
  while (i < sorted.length) out.push(sorted[i++]);
  return out;
}

/**
 * Edits since the last analysis, as one LineChange: the first line any edit touched and how many
 * lines at the end none did. Each edit is widened by a line on both sides, because a line break
 * typed next to another (`\r` before `\n`) joins it into one.
 */
export class PendingLineChange {
  private from = Infinity;
  private trailing = Infinity;

  constructor(private readonly analysedLineCount: number) {}

  /** An edit that replaced lines startLine..endLine (inclusive) of a text that had `lineCountBefore` lines. */
  add(startLine: number, endLine: number, lineCountBefore: number): void {
    this.from = Math.min(this.from, Math.max(0, startLine - 1));
    this.trailing = Math.min(this.trailing, Math.max(0, lineCountBefore - endLine - 2));
  }

  get empty(): boolean {
    return this.from === Infinity;
  }

  /** The change from the analysed text to the current one of `lineCount` lines. */
  change(lineCount: number): LineChange {
    const trailing = Math.min(this.trailing, this.analysedLineCount, lineCount);
    const from = Math.min(this.from, this.analysedLineCount - trailing, lineCount - trailing);
    return { from, oldEnd: this.analysedLineCount - trailing, newEnd: lineCount - trailing };
  }
}
