import {
  packetFinding,
  relatedPacketsOf,
  suspiciousResetFinding,
  withDevice,
  type Finding,
  type RelatedLocation,
} from './analyze';
import { feedsBaseline, SourceState } from './baseline';
import { looksBinary } from './binaryText';
import { DeviceRegistry, placesSender, type SuspectedDevice } from './devices';
import { ConversationTracker, flowKeyOf, loneReset, type PendingReset } from './conversation';
import { CONFIDENCE_RANK, DEFAULT_OPTIONS, type AnalysisOptions } from './options';
import { isReset, type Packet } from './packet';
import { COPY_OUT, type PacketRef } from './retain';
import { LINE_LIMIT, LineSplitter, StreamParser, type LongLine, type StreamedPacket } from './streamParse';
import { inferInitialTtl, isOwnOffloadedPacket } from './ttl';
import { judgeReset, type Confidence, type ResetVerdict } from './verdict';

/*
 * The drivers that read text in pieces instead of holding the document, over the same state and
 * judge as analyze.ts: memory grows with the number of sources and open conversations, not with
 * the number of packets.
 *
 * Whole inputs take two passes over the same text (`CaptureSurvey`, then `CaptureJudge`): the
 * first feeds every source's SourceState and notes where each conversation ends; the second feeds
 * the ConversationTracker and judges a conversation's RSTs when its last packet has gone by —
 * all a whole-text read would know of them — holding a conversation only while its packets last.
 * The findings equal analyze()'s.
 *
 * Live input (`FollowAnalysis`) has one pass and no future: each RST is judged when it arrives
 * and judged again as its claimed sender's and its conversation's later packets arrive; the first
 * time it is suspicious it is reported, with the line that decided it, and every later change of
 * its standing (raised, lowered, retracted) is reported too, so what stands at end of input is
 * analyze()'s word. Everything it holds is capped (FOLLOW_LIMITS), least recently seen first out.
 */

// ---------------------------------------------------------------------------------------------
// Verdicts and findings

interface Judged {
  verdict: ResetVerdict;
  /** The packets the verdict may name, as the state kept them (their text is gone). */
  refs: Map<number, PacketRef>;
}

function judge(
  r: PendingReset,
  source: SourceState | undefined,
  laterData: number,
  options: AnalysisOptions,
  provisional = false,
): Judged {
  const refs = new Map<number, PacketRef>();
  return { verdict: judgeReset(r, source, laterData, options, refs, provisional), refs };
}

function reportable(v: ResetVerdict, options: AnalysisOptions): boolean {
  return v.status === 'suspicious' && CONFIDENCE_RANK[v.confidence!] >= CONFIDENCE_RANK[options.minimumConfidence];
}

/** A suspicious RST's finding, its related packets looked up among the refs the verdict kept. */
function resetFinding(p: Packet, { verdict: v, refs }: Judged, options: AnalysisOptions): Finding {
  const related: RelatedLocation[] = [];
  for (const i of relatedPacketsOf(v)) {
    const b = refs.get(i);
    if (!b) continue;
    const r = b.ttlRange ?? { line: b.startLine, start: 0, end: b.firstLineLength ?? 0 };
    const initial = b.ttl === undefined ? undefined : inferInitialTtl(b.ttl, options.initialTtls);
    related.push({
      line: r.line,
      startCharacter: r.start,
      endCharacter: r.end,
      facts:
        initial === undefined
          ? { kind: 'packet-text', text: b.firstLineHead ?? '' }
          : { kind: 'baseline-packet', source: b.src, ttl: b.ttl!, hops: initial - b.ttl! },
    });
  }
  return suspiciousResetFinding(p, v, related);
}

/** Checksum-offload notes (analyze.ts's checksumNotes) as packets go by. */
class ChecksumNotes {
  readonly bySource = new Map<string, { count: number; candidates: Packet[]; settled: boolean }>();
  constructor(
    private readonly initialTtls: readonly number[],
    private readonly sourceLimit = Infinity,
    private readonly countOnly = false,
  ) {}

  /** Counts `p` when tcpdump called its checksum bad on the capturing host's own packet; returns its source then. */
  add(p: Packet): string | undefined {
    if (!isOwnOffloadedPacket(p, this.initialTtls)) return undefined;
    let s = this.bySource.get(p.src);
    if (!s) {
      if (this.bySource.size >= this.sourceLimit) return undefined;
      this.bySource.set(COPY_OUT.string(p.src), (s = { count: 0, candidates: [], settled: this.countOnly }));
    }
    s.count++;
    // The note goes on the first such packet no other finding took; only RSTs are ever taken,
    // so the first non-RST settles it.
    if (!s.settled) {
      s.candidates.push(COPY_OUT.packet(p));
      if (!isReset(p)) s.settled = true;
    }
    return p.src;
  }

  /** Where the source's note goes, or undefined while an undecided RST (or one yet to come) could take it. */
  locate(source: string, undecided: ReadonlyMap<number, number>, taken: ReadonlySet<number>): Packet | undefined {
    const s = this.bySource.get(source);
    if (!s) return undefined;
    for (const c of s.candidates) {
      if (undecided.has(c.index)) return undefined;
      if (!taken.has(c.index)) return c;
    }
    return undefined;
  }

  note(at: Packet, source: string, count: number): Finding {
    return packetFinding(at, {
      severity: 'information',
      code: 'checksum-offload',
      facts: { kind: 'checksum-offload', source, count },
      related: [],
    });
  }

  /** Live mode: every note at the end, with the counts so far. */
  notes(taken: ReadonlySet<number>): Finding[] {
    const out: Finding[] = [];
    for (const [source, s] of this.bySource) {
      const at = s.candidates.find((p) => !taken.has(p.index));
      if (at) out.push(this.note(at, source, s.count));
    }
    return out;
  }
}

/**
 * Text in, packets out (the `--packets` export streams through it too). Holds back the first 4096
 * characters to tell binary from text as analyze.ts does.
 */
export class TextIntake {
  private readonly splitter: LineSplitter;
  private readonly parser: StreamParser;
  private head = '';
  private decided = false;
  binary = false;
  firstLine: string | undefined;
  private readonly lines: string[] = [];

  /**
   * `live`: parse after every line, and tell binary from text on the first line end instead of
   * the first 4096 characters (analyze.ts's window), so a live capture is not held back.
   * `lineLimit`: lines are cut to this many characters (see LINE_LIMIT).
   */
  constructor(
    private readonly live: boolean,
    lineLimit = LINE_LIMIT,
  ) {
    this.parser = new StreamParser(live);
    this.splitter = new LineSplitter(lineLimit);
  }

  get lineCount(): number {
    return this.parser.lineCount;
  }

  /** The lines cut to the limit since the last call, in order. */
  takeLongLines(): LongLine[] {
    return this.splitter.takeLongLines();
  }

  push(chunk: string, out: StreamedPacket[]): void {
    if (!this.decided) {
      this.head += chunk;
      if (this.head.length < 4096 && !(this.live && /[\r\n]/.test(this.head))) return;
      this.decide();
      chunk = this.head;
      this.head = '';
    }
    if (this.binary) return;
    this.feed(chunk, out);
  }

  end(out: StreamedPacket[]): void {
    if (!this.decided) {
      this.decide();
      const text = this.head;
      this.head = '';
      if (!this.binary) this.feed(text, out);
    }
    if (this.binary) {
      this.firstLine ??= '';
      return;
    }
    this.splitter.end(this.lines);
    this.drain(out);
    this.parser.end(out);
  }

  private decide(): void {
    this.decided = true;
    this.binary = looksBinary(this.head);
    if (this.binary) {
      const nl = this.head.search(/\r|\n/);
      this.firstLine = nl < 0 ? this.head : this.head.slice(0, nl);
    }
  }

  private feed(chunk: string, out: StreamedPacket[]): void {
    this.splitter.push(chunk, this.lines);
    this.drain(out);
  }

  private drain(out: StreamedPacket[]): void {
    for (const line of this.lines) {
      this.firstLine ??= line;
      this.parser.pushLine(line, out);
    }
    this.lines.length = 0;
  }
}

function binaryFinding(firstLine: string): Finding {
  return {
    packet: -1,
    startLine: 0,
    startCharacter: 0,
    endLine: 0,
    endCharacter: Math.min(firstLine.length, 8),
    severity: 'information',
    code: 'binary-capture',
    facts: { kind: 'binary-capture' },
    related: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Whole inputs: two passes

/** Pass 1's result: every source's summary and, per conversation, what the judge needs of its future. */
export interface CaptureSurveyResult {
  /** @internal */ readonly sources: ReadonlyMap<string, SourceState>;
  /** @internal Index of each conversation's last packet. */ readonly flowEnd: ReadonlyMap<string, number>;
  /** @internal Checksum-offload packets per source. */ readonly checksumCounts: ReadonlyMap<string, number>;
  readonly packets: number;
  readonly lines: number;
  readonly binary: boolean;
  readonly anyTtl: boolean;
  /** Lines longer than `lineLimit`: only their first `lineLimit` characters were read. */
  readonly longLines: readonly LongLine[];
  readonly lineLimit: number;
}

/** Pass 1: summaries of every source and conversation. Feed the text in order, then call end(). */
export class CaptureSurvey {
  private readonly intake: TextIntake;
  private readonly longLines: LongLine[] = [];
  private readonly sources = new Map<string, SourceState>();
  private readonly flowEnd = new Map<string, number>();
  private readonly checksums: ChecksumNotes;
  private readonly batch: StreamedPacket[] = [];
  private packets = 0;
  private anyTtl = false;

  /** `lineLimit`: lines are cut to this many characters (LINE_LIMIT; tests use less). */
  constructor(
    private readonly options: AnalysisOptions = DEFAULT_OPTIONS,
    private readonly lineLimit = LINE_LIMIT,
  ) {
    this.checksums = new ChecksumNotes(options.initialTtls, Infinity, true);
    this.intake = new TextIntake(false, lineLimit);
  }

  push(chunk: string): void {
    this.intake.push(chunk, this.batch);
    this.take();
  }

  end(): CaptureSurveyResult {
    this.intake.end(this.batch);
    this.take();
    const checksumCounts = new Map([...this.checksums.bySource].map(([source, s]) => [source, s.count]));
    return {
      sources: this.sources,
      flowEnd: this.flowEnd,
      checksumCounts,
      packets: this.packets,
      lines: this.intake.lineCount,
      binary: this.intake.binary,
      anyTtl: this.anyTtl,
      longLines: this.longLines,
      lineLimit: this.lineLimit,
    };
  }

  private take(): void {
    for (const l of this.intake.takeLongLines()) this.longLines.push(l);
    for (const sp of this.batch) {
      const p = sp.packet;
      this.packets++;
      if (p.ttl !== undefined) this.anyTtl = true;
      this.checksums.add(p);
      if (feedsBaseline(p)) {
        let s = this.sources.get(p.src);
        if (!s) {
          s = new SourceState(p.src, COPY_OUT, this.options.initialTtls);
          this.sources.set(s.source, s);
        }
        s.add(p, sp.firstLine);
      }
      const key = flowKeyOf(p);
      if (key === undefined) continue;
      this.flowEnd.set(this.flowEnd.has(key) ? key : COPY_OUT.string(key), p.index);
    }
    this.batch.length = 0;
  }
}

/**
 * Pass 2: judges every RST against the survey. push() returns the findings it can release so far,
 * in line order: a finding waits only while an RST on an earlier line is undecided (an RST is
 * decided when its conversation's next packet shows whether it was a burst, and, if its sender
 * sent data later, when the first of that data arrives). end() returns the rest. All together
 * they equal analyze(text).findings.
 */
export class CaptureJudge {
  /** Cuts lines where the survey did, so both passes read the same packets. */
  private readonly intake: TextIntake;
  private readonly flows: ConversationTracker;
  private readonly notes: ChecksumNotes;
  /** Reported RSTs that are checksum-note candidates (only those matter to the notes). */
  private readonly taken = new Set<number>();
  /** RSTs not decided yet: packet index → start line, in line order. */
  private readonly undecided = new Map<number, number>();
  /** The RSTs of each conversation not ended yet. */
  private readonly openResets = new Map<string, PendingReset[]>();
  private readonly notePlaced = new Set<string>();
  private readonly batch: StreamedPacket[] = [];
  /** Findings not released yet, by start line. */
  private ready: Finding[] = [];
  /** The RST behind each suspicious-reset finding not released yet (devices are numbered at release, in line order). */
  private readonly resetOf = new Map<Finding, Packet>();
  private readonly registry = new DeviceRegistry();
  private noTtlPacket: number | undefined;

  constructor(
    private readonly survey: CaptureSurveyResult,
    private readonly options: AnalysisOptions = DEFAULT_OPTIONS,
  ) {
    this.intake = new TextIntake(false, survey.lineLimit);
    this.notes = new ChecksumNotes(options.initialTtls);
    this.flows = new ConversationTracker(COPY_OUT, options.initialTtls);
  }

  push(chunk: string): Finding[] {
    this.intake.push(chunk, this.batch);
    this.take();
    return this.release(this.undecided.size === 0 ? Infinity : this.undecided.values().next().value!);
  }

  end(): Finding[] {
    this.intake.end(this.batch);
    this.take();
    for (const key of [...this.flows.conversations.keys()]) this.endConversation(key);
    for (const source of this.notes.bySource.keys()) this.placeNote(source);
    if (this.survey.binary) this.hold(binaryFinding(this.intake.firstLine ?? ''));
    return this.release(Infinity);
  }

  /** The devices of the findings released so far, numbered in line order as a whole-text read numbers them. */
  get devices(): readonly SuspectedDevice[] {
    return this.registry.devices;
  }

  private release(before: number): Finding[] {
    let n = 0;
    while (n < this.ready.length && this.ready[n].startLine < before) n++;
    if (n === 0) return [];
    const out = this.ready.slice(0, n).map((f) => {
      const p = this.resetOf.get(f);
      if (!p || f.facts.kind !== 'suspicious-reset') return f;
      this.resetOf.delete(f);
      return withDevice(f, this.registry.add(p, f.facts.verdict));
    });
    this.ready = this.ready.slice(n);
    return out;
  }

  private hold(f: Finding): void {
    let i = this.ready.length;
    while (i > 0 && this.ready[i - 1].startLine > f.startLine) i--;
    this.ready.splice(i, 0, f);
  }

  private take(): void {
    for (const sp of this.batch) {
      const p = sp.packet;
      if (p.index === 0 && !this.survey.anyTtl) {
        this.hold(
          packetFinding(p, {
            severity: 'information',
            code: 'no-ttl',
            facts: { kind: 'no-ttl' },
            related: [],
          }),
        );
        this.noTtlPacket = p.index;
      }
      const key = flowKeyOf(p);
      if (key !== undefined) {
        const pending = this.flows.add(p, key, sp.firstLine);
        if (pending) {
          this.undecided.set(p.index, p.startLine);
          pending.side.awaitingData.push(pending);
          const list = this.openResets.get(key);
          if (list) list.push(pending);
          else this.openResets.set(COPY_OUT.string(key), [pending]);
        }
        if (this.survey.flowEnd.get(key) === p.index) this.endConversation(key);
      } else if (isReset(p)) {
        this.decide(loneReset(p, COPY_OUT.ref(p, sp.firstLine, this.options.initialTtls)), 0);
      }
      const source = this.notes.add(p);
      if (source !== undefined) this.placeNote(source);
    }
    this.batch.length = 0;
  }

  private placeNote(source: string): void {
    if (this.notePlaced.has(source)) return;
    const at = this.notes.locate(source, this.undecided, this.taken);
    if (!at) return;
    this.notePlaced.add(at.src);
    this.hold(this.notes.note(at, at.src, this.survey.checksumCounts.get(source) ?? 0));
  }

  /**
   * A conversation's last packet went by: its RSTs are judged now, on all it showed, exactly as a
   * whole-text analysis judges them at the end of input.
   */
  private endConversation(key: string): void {
    this.flows.drop(key);
    const resets = this.openResets.get(key);
    if (!resets) return;
    this.openResets.delete(key);
    for (const r of resets) this.decide(r, r.side.data - r.dataBefore);
  }

  private decide(r: PendingReset, laterCount: number): void {
    const p = r.packet;
    this.undecided.delete(p.index);
    const judged = judge(r, this.survey.sources.get(p.src), laterCount, this.options);
    if (reportable(judged.verdict, this.options) && p.index !== this.noTtlPacket) {
      const finding = resetFinding(p, judged, this.options);
      this.resetOf.set(finding, p);
      this.hold(finding);
      if (p.badChecksum) this.taken.add(p.index);
    }
    if (p.badChecksum) this.placeNote(p.src);
  }
}

/** Both passes over text the caller can read twice (tests, small inputs); findings in line order. */
export function analyzeInTwoPasses(
  read: () => Iterable<string>,
  options: AnalysisOptions = DEFAULT_OPTIONS,
): { findings: Finding[]; survey: CaptureSurveyResult; devices: readonly SuspectedDevice[] } {
  const survey = new CaptureSurvey(options);
  for (const chunk of read()) survey.push(chunk);
  const result = survey.end();
  const judge = new CaptureJudge(result, options);
  const findings: Finding[] = [];
  for (const chunk of read()) findings.push(...judge.push(chunk));
  findings.push(...judge.end());
  return { findings, survey: result, devices: judge.devices };
}

// ---------------------------------------------------------------------------------------------
// Live input: one pass, no future

/**
 * What live mode holds at most; beyond a limit the least recently seen goes first (idle
 * conversations and quiet sources are the first forgotten). Each source summary is a few KB at
 * most (distinct hop counts, TTLs, MACs and TOS values, 20 related packets per distance), so the
 * state stays in the tens of MB however long a session runs: 256 MB of tcpdump text through
 * `--follow` peaked at 129 MiB RSS, the node process itself included.
 */
export interface FollowLimits {
  sources: number;
  conversations: number;
  pendingResets: number;
  pendingPerSource: number;
  /** Characters kept of one line (LINE_LIMIT when not given). */
  lineLength?: number;
}

export const FOLLOW_LIMITS: Readonly<FollowLimits> = {
  /** Sources with a baseline summary (each a few KB at most). */
  sources: 20000,
  /** TCP conversations tracked for sequence evidence. */
  conversations: 50000,
  /** RSTs waiting for evidence, in all. */
  pendingResets: 5000,
  /** RSTs waiting for evidence, per claimed sender. */
  pendingPerSource: 16,
  lineLength: LINE_LIMIT,
};

/** One live report. */
export interface FollowEvent {
  /** The RST's finding as it stands now; for a retraction, the finding that no longer stands. */
  finding: Finding;
  /** 0-based line of the packet that decided it: the RST's own when it was suspicious on arrival. */
  decidedAtLine: number;
  /** Set when this RST was reported before, at this lower confidence, and later packets raised it. */
  raisedFrom?: Confidence;
  /** Set when this RST was reported before, at this higher confidence, and later packets weakened it. */
  loweredFrom?: Confidence;
  /** Later packets explained the RST away (or left it below the minimum confidence): withdraw the report. */
  retracted?: true;
}

interface LivePending extends PendingReset {
  /** Its device, once a warning about it placed one. */
  device?: number;
  /** The report that stands for this RST, if any. */
  reported?: Finding;
}

/**
 * Live analysis: push text as it arrives, get a report for each RST as soon as the evidence makes
 * it suspicious (often only when its claimed sender's own later packets arrive), and again when
 * later packets raise its confidence, lower it or explain the RST away (a retraction): a reported
 * RST stays watched, so what stands at end() is what the whole-file analysis says of it, never
 * more. (Only an RST pushed out by `limits.pendingPerSource`/`pendingResets` keeps its last word.)
 * Notes that need the whole input (no TTL at all, checksum offload) come from end().
 */
export class FollowAnalysis {
  private readonly registry = new DeviceRegistry();
  private readonly intake: TextIntake;
  private readonly sources = new Map<string, SourceState>();
  private readonly pendingBySource = new Map<string, LivePending[]>();
  private readonly pending = new Set<LivePending>();
  private readonly flows: ConversationTracker;
  private readonly notes: ChecksumNotes;
  /** Reported RSTs among the checksum-note candidates (the only ones a note could land on). */
  private readonly taken = new Set<number>();
  private readonly batch: StreamedPacket[] = [];
  private readonly toJudge = new Set<LivePending>();
  private events: FollowEvent[] = [];
  private packets = 0;
  private anyTtl = false;
  private firstPacket: Packet | undefined;
  private binaryReported = false;

  constructor(
    private readonly options: AnalysisOptions = DEFAULT_OPTIONS,
    private readonly limits: Readonly<FollowLimits> = FOLLOW_LIMITS,
  ) {
    this.intake = new TextIntake(true, limits.lineLength);
    this.notes = new ChecksumNotes(options.initialTtls, limits.sources);
    // A later data packet is its sender's own: the source trigger re-judges, no hook needed.
    this.flows = new ConversationTracker(COPY_OUT, options.initialTtls, {
      runClosed: (_run, members) => {
        for (const r of members) if (this.pending.has(r)) this.toJudge.add(r);
      },
    });
    this.flows.memberLimit = limits.pendingPerSource;
    this.flows.recencyOrder = true;
  }

  /** Lines read so far. */
  get lineCount(): number {
    return this.intake.lineCount;
  }

  /** The lines cut to `limits.lineLength` since the last call, in order. */
  takeLongLines(): LongLine[] {
    return this.intake.takeLongLines();
  }

  /** Packets read so far (none at the end: the input held no packet at all). */
  get packetCount(): number {
    return this.packets;
  }

  /** Packets, sources, conversations and pending RSTs held now (for tests of the bounds). */
  get held(): { packets: number; sources: number; conversations: number; pendingResets: number } {
    return {
      packets: this.packets,
      sources: this.sources.size,
      conversations: this.flows.conversations.size,
      pendingResets: this.pending.size,
    };
  }

  push(chunk: string): FollowEvent[] {
    this.intake.push(chunk, this.batch);
    return this.take();
  }

  end(): FollowEvent[] {
    this.intake.end(this.batch);
    const events = this.take();
    // The final word on every RST still watched is the end-of-input judgement.
    const last = this.intake.lineCount - 1;
    for (const r of [...this.pending]) this.judgeNow(r, last, true);
    events.push(...this.events);
    this.events = [];
    if (this.packets > 0 && !this.anyTtl) {
      // As in the whole-file read, the note takes the first packet: a report there gives way.
      for (const r of this.pending) {
        if (r.packet.index !== this.firstPacket!.index || !r.reported) continue;
        events.push({ finding: r.reported, decidedAtLine: last, retracted: true });
        r.reported = undefined;
      }
      events.push({
        finding: packetFinding(this.firstPacket!, {
          severity: 'information',
          code: 'no-ttl',
          facts: { kind: 'no-ttl' },
          related: [],
        }),
        decidedAtLine: last,
      });
    }
    for (const finding of this.notes.notes(this.taken)) events.push({ finding, decidedAtLine: last });
    return events;
  }

  private take(): FollowEvent[] {
    if (this.intake.binary && !this.binaryReported) {
      this.binaryReported = true;
      this.events.push({ finding: binaryFinding(this.intake.firstLine ?? ''), decidedAtLine: 0 });
    }
    for (const sp of this.batch) this.add(sp);
    this.batch.length = 0;
    const events = this.events;
    this.events = [];
    return events;
  }

  private add(sp: StreamedPacket): void {
    const p = sp.packet;
    this.packets++;
    this.firstPacket ??= p;
    if (p.ttl !== undefined) this.anyTtl = true;
    this.notes.add(p);
    if (feedsBaseline(p)) {
      let s = this.sources.get(p.src);
      if (s) this.sources.delete(p.src);
      else s = new SourceState(p.src, COPY_OUT, this.options.initialTtls);
      this.sources.set(s.source, s);
      s.add(p, sp.firstLine);
      if (this.sources.size > this.limits.sources) this.forgetSource(this.sources.keys().next().value!);
      // The claimed sender spoke again: its waiting RSTs may now be decided.
      for (const r of this.pendingBySource.get(p.src) ?? []) this.toJudge.add(r);
    }
    const key = flowKeyOf(p);
    let arrived: LivePending | undefined;
    if (key !== undefined) {
      arrived = this.flows.add(p, key, sp.firstLine);
      if (this.flows.conversations.size > this.limits.conversations)
        this.flows.drop(this.flows.conversations.keys().next().value!);
      if (arrived) {
        // A longer burst changes every member's run evidence.
        for (const r of this.flows.membersOf(arrived.run)) if (this.pending.has(r)) this.toJudge.add(r);
        arrived.side.awaitingData.push(arrived);
        if (arrived.side.awaitingData.length > this.limits.pendingPerSource) arrived.side.awaitingData.shift();
      }
    } else if (isReset(p)) {
      arrived = loneReset(COPY_OUT.packet(p), COPY_OUT.ref(p, sp.firstLine, this.options.initialTtls));
    }
    if (arrived) {
      this.hold(arrived);
      // Another RST of the same claimed sender may be the host's own refusal: judge its others again.
      for (const r of this.pendingBySource.get(p.src) ?? []) this.toJudge.add(r);
    }
    for (const r of this.toJudge) this.judgeNow(r, p.startLine);
    this.toJudge.clear();
  }

  private hold(r: LivePending): void {
    const source = r.packet.src;
    let list = this.pendingBySource.get(source);
    if (!list) this.pendingBySource.set(source, (list = []));
    list.push(r);
    this.pending.add(r);
    this.toJudge.add(r);
    if (list.length > this.limits.pendingPerSource) this.release(list[0]);
    if (this.pending.size > this.limits.pendingResets) this.release(this.pending.values().next().value!);
  }

  private release(r: LivePending): void {
    this.pending.delete(r);
    this.toJudge.delete(r);
    const source = r.packet.src;
    const list = this.pendingBySource.get(source);
    if (!list) return;
    const at = list.indexOf(r);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.pendingBySource.delete(source);
  }

  private forgetSource(source: string): void {
    this.sources.delete(source);
    for (const r of [...(this.pendingBySource.get(source) ?? [])]) this.release(r);
  }

  /** Judges `r` on what has arrived up to line `at`, and reports any change of its standing. */
  /** `final`: the end of input, where live mode's word is the whole-file one. */
  private judgeNow(r: LivePending, at: number, final = false): void {
    if (!this.pending.has(r)) return;
    const p = r.packet;
    const judged = judge(r, this.sources.get(p.src), r.side.data - r.dataBefore, this.options, !final);
    const v = judged.verdict;
    const was = r.reported?.confidence;
    if (!reportable(v, this.options)) {
      if (!r.reported) return;
      this.events.push({ finding: r.reported, decidedAtLine: at, retracted: true });
      r.reported = undefined;
      this.taken.delete(p.index);
      return;
    }
    // Devices are numbered as live mode first warns about one of their RSTs.
    if (r.device === undefined && placesSender(v)) r.device = this.registry.add(p, v);
    const finding = withDevice(resetFinding(p, judged, this.options), placesSender(v) ? r.device : undefined);
    if (r.reported && finding.confidence === was && finding.code === r.reported.code) {
      // Same standing: keep the newest wording and related packets quietly (the end-of-input word).
      r.reported = finding;
      return;
    }
    r.reported = finding;
    if (p.badChecksum) this.taken.add(p.index);
    const event: FollowEvent = { finding, decidedAtLine: at };
    if (was && CONFIDENCE_RANK[finding.confidence!] > CONFIDENCE_RANK[was]) event.raisedFrom = was;
    if (was && CONFIDENCE_RANK[finding.confidence!] < CONFIDENCE_RANK[was]) event.loweredFrom = was;
    this.events.push(event);
  }

  /** The devices live mode has warned about so far, in the order it first did. */
  get devices(): readonly SuspectedDevice[] {
    return this.registry.devices;
  }

  /** The findings that stand now, one per reported RST still watched (in line order). */
  standing(): Finding[] {
    const out: Finding[] = [];
    for (const r of this.pending) if (r.reported) out.push(r.reported);
    return out.sort((x, y) => x.startLine - y.startLine);
  }
}
