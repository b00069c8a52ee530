import { feedsBaseline, SourceState, type SourceBaseline } from './baseline';
import { DeviceRegistry, type SuspectedDevice } from './devices';
import { looksBinary } from './binaryText';
import { ConversationTracker, flowKeyOf, loneReset, type PendingReset } from './conversation';
import type { EvidenceKind } from './evidence';
import type { TcpFlow } from './flows';
import { CONFIDENCE_RANK, DEFAULT_OPTIONS, type AnalysisOptions } from './options';
import { isReset, type Packet } from './packet';
import { parseCapture, splitLines } from './parse';
import { KEEP_PACKETS } from './retain';
import { inferInitialTtl, isOwnOffloadedPacket } from './ttl';
import { judgeReset, type Confidence, type ResetVerdict } from './verdict';

export type FindingCode =
  'ttl-mismatch' | 'mac-mismatch' | 'rst-sequence' | 'rst-header' | 'no-ttl' | 'checksum-offload' | 'binary-capture';
export type FindingSeverity = 'warning' | 'information';

/** What a related location shows, as facts: describe.ts words it at the edge. */
export type RelatedFacts =
  /** A packet of the claimed sender that set its distance. */
  | { kind: 'baseline-packet'; source: string; ttl: number; hops: number }
  /** A packet without a TTL: the head of its first line, as printed. */
  | { kind: 'packet-text'; text: string };

export interface RelatedLocation {
  line: number;
  startCharacter: number;
  endCharacter: number;
  facts: RelatedFacts;
}

/**
 * What a finding says, as facts (codes and numbers, no words): describe.ts's `describeFinding`
 * turns them into a sentence per locale where a person reads it (LSP, CLI, SARIF), so a change of
 * language re-words and does not re-analyse.
 */
export type FindingFacts =
  | { kind: 'suspicious-reset'; verdict: ResetVerdict }
  | { kind: 'checksum-offload'; source: string; count: number }
  | { kind: 'no-ttl' }
  | { kind: 'binary-capture' };

/** A diagnostic in plain data: 0-based lines, LSP-shaped but free of LSP and of words. */
export interface Finding {
  packet: number;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  severity: FindingSeverity;
  code: FindingCode;
  facts: FindingFacts;
  related: RelatedLocation[];
  confidence?: Confidence;
  ttl?: number;
  initialTtl?: number;
  hops?: number;
  baselineHops?: number;
  /** The suspected device (SuspectedDevice.id) that likely sent this RST. */
  device?: number;
  /** The packet it is about, as printed: addresses, ports, timestamp, `-#` number. */
  src?: string;
  dst?: string;
  srcPort?: string;
  dstPort?: string;
  timestamp?: string;
  frameNumber?: number;
}

export interface Analysis {
  lines: readonly string[];
  packets: readonly Packet[];
  baselines: ReadonlyMap<string, SourceBaseline>;
  flows: readonly TcpFlow[];
  verdicts: readonly ResetVerdict[];
  findings: readonly Finding[];
  /** line → index of the packet covering it, or -1. */
  packetAtLine: Int32Array;
  verdictByPacket: ReadonlyMap<number, ResetVerdict>;
  /** The devices that likely forged the RSTs found, in the order of their first RST. */
  devices: readonly SuspectedDevice[];
  options: AnalysisOptions;
  /** The text is a binary capture opened as text: nothing was parsed. */
  binary: boolean;
}

/** The finding code each kind of lead evidence is reported under. */
/** At most this many related locations per finding: a few of the packets that make the point, not a list. */
export const RELATED_LIMIT = 3;

export const FINDING_CODE_OF: Record<EvidenceKind, FindingCode> = {
  'hop-mismatch': 'ttl-mismatch',
  'initial-ttl-mismatch': 'ttl-mismatch',
  'mac-mismatch': 'mac-mismatch',
  'rst-seq-data': 'rst-sequence',
  'data-seq-rst': 'rst-sequence',
  'rst-seq-change': 'rst-sequence',
  'rst-ack-change': 'rst-sequence',
  'burst-ttl-change': 'rst-sequence',
  'reset-both-ends': 'rst-sequence',
  'rst-burst': 'rst-sequence',
  'nonzero-window': 'rst-header',
  'tos-mismatch': 'rst-header',
  'df-mismatch': 'rst-header',
  'ip-id-mismatch': 'rst-header',
  'handshake-hop-mismatch': 'ttl-mismatch',
  'two-senders': 'ttl-mismatch',
  'rst-payload': 'rst-header',
};

export function packetFinding(
  p: Packet,
  fields: Omit<Finding, 'packet' | 'startLine' | 'startCharacter' | 'endLine' | 'endCharacter'>,
): Finding {
  const f: Finding = {
    packet: p.index,
    startLine: p.startLine,
    startCharacter: 0,
    endLine: p.endLine,
    endCharacter: p.endLineLength,
    ...fields,
    src: p.src,
    dst: p.dst,
  };
  if (p.srcPort !== undefined) f.srcPort = p.srcPort;
  if (p.dstPort !== undefined) f.dstPort = p.dstPort;
  if (p.timestamp !== undefined) f.timestamp = p.timestamp;
  if (p.frameNumber !== undefined) f.frameNumber = p.frameNumber;
  return f;
}

/** A suspicious RST's related packets: those that set the claimed sender's distance, or the lead signal's own. */
export function relatedPacketsOf(v: ResetVerdict): readonly number[] {
  const lead = v.evidence[0];
  const packets =
    lead.kind === 'hop-mismatch' || lead.kind === 'initial-ttl-mismatch'
      ? (v.compared?.packets ?? [])
      : (lead.packets ?? []);
  return packets.slice(0, RELATED_LIMIT);
}

/** The finding for a suspicious RST, once its related locations are known. */
export function suspiciousResetFinding(p: Packet, v: ResetVerdict, related: RelatedLocation[]): Finding {
  return packetFinding(p, {
    severity: v.confidence === 'low' ? 'information' : 'warning',
    code: FINDING_CODE_OF[v.evidence[0].kind],
    facts: { kind: 'suspicious-reset', verdict: v },
    related,
    confidence: v.confidence,
    ttl: v.ttl,
    initialTtl: v.initialTtl,
    hops: v.hops,
    baselineHops: v.baselineHops,
  });
}

function resetFinding(
  v: ResetVerdict,
  a: { packets: readonly Packet[]; lines: readonly string[]; options: AnalysisOptions },
): Finding {
  const related = relatedPacketsOf(v).map((i): RelatedLocation => {
    const b = a.packets[i];
    const r = b.ttlRange ?? { line: b.startLine, start: 0, end: a.lines[b.startLine].length };
    const initial = b.ttl === undefined ? undefined : inferInitialTtl(b.ttl, a.options.initialTtls);
    return {
      line: r.line,
      startCharacter: r.start,
      endCharacter: r.end,
      facts:
        initial === undefined
          ? { kind: 'packet-text', text: a.lines[b.startLine].slice(0, 120) }
          : { kind: 'baseline-packet', source: b.src, ttl: b.ttl!, hops: initial - b.ttl! },
    };
  });
  return suspiciousResetFinding(a.packets[v.packet], v, related);
}

/** `f` naming device `id` (a copy when that changes it: a kept finding may be another edit's). */
export function withDevice(f: Finding, id: number | undefined): Finding {
  if (f.device === id) return f;
  const copy = { ...f };
  if (id === undefined) delete copy.device;
  else copy.device = id;
  return copy;
}

/** One note per capturing-host source whose checksums tcpdump calls bad: offloading, not an error. */
function checksumNotes(packets: readonly Packet[], taken: Set<number>, options: AnalysisOptions): Finding[] {
  const bySource = new Map<string, Packet[]>();
  for (const p of packets) {
    if (!isOwnOffloadedPacket(p, options.initialTtls)) continue;
    const list = bySource.get(p.src);
    if (list) list.push(p);
    else bySource.set(p.src, [p]);
  }
  const out: Finding[] = [];
  for (const [source, list] of bySource) {
    const at = list.find((p) => !taken.has(p.index));
    if (!at) continue;
    taken.add(at.index);
    out.push(
      packetFinding(at, {
        severity: 'information',
        code: 'checksum-offload',
        facts: { kind: 'checksum-offload', source, count: list.length },
        related: [],
      }),
    );
  }
  return out;
}

/** The one pipeline: text → packets → per-source and per-conversation state → verdicts → findings. */
export function analyze(text: string, options: AnalysisOptions = DEFAULT_OPTIONS): Analysis {
  return analyzeStages(text, options).analysis;
}

/**
 * What the per-source and per-conversation state made of a whole text's packets: the same
 * accumulators the streamed and live drivers feed, fed all at once; every RST waits for the end.
 */
export interface PacketState {
  sources: Map<string, SourceState>;
  conversations: ConversationTracker;
  /** Each RST's conversation facts, by packet index (packet order). */
  resets: Map<number, PendingReset>;
}

/** Feeds `packets` (in order) to fresh state, as a stream fed all at once. */
export function feedPackets(packets: readonly Packet[], options: AnalysisOptions): PacketState {
  const sources = new Map<string, SourceState>();
  const conversations = new ConversationTracker(KEEP_PACKETS, options.initialTtls);
  const resets = new Map<number, PendingReset>();
  for (const p of packets) {
    if (feedsBaseline(p)) {
      let s = sources.get(p.src);
      if (!s) sources.set(p.src, (s = new SourceState(p.src, KEEP_PACKETS, options.initialTtls)));
      s.add(p);
    }
    const key = flowKeyOf(p);
    if (key !== undefined) {
      const r = conversations.add(p, key);
      if (!r) continue;
      r.side.awaitingData.push(r);
      resets.set(p.index, r);
    } else if (isReset(p)) resets.set(p.index, loneReset(p, p));
  }
  conversations.closeAll();
  return { sources, conversations, resets };
}

/** The end-of-input verdict on one RST of `state`. */
export function judgeAtEnd(state: PacketState, index: number, options: AnalysisOptions): ResetVerdict {
  const r = state.resets.get(index)!;
  return judgeReset(r, state.sources.get(r.packet.src), r.side.data - r.dataBefore, options);
}

/** Every source's baseline now (sources whose packets carry no usable TTL have none). */
export function baselinesOf(sources: ReadonlyMap<string, SourceState>): Map<string, SourceBaseline> {
  const out = new Map<string, SourceBaseline>();
  for (const [source, s] of sources) if (s.isBaseline) out.set(source, s.view());
  return out;
}

/** The conversations in the order of their first packet. */
export function flowsOf(conversations: ConversationTracker): TcpFlow[] {
  const out: TcpFlow[] = [];
  for (const c of conversations.conversations.values()) out.push(c.flow!);
  return out;
}

/** analyze(), keeping what an incremental re-analysis builds on (incrementalAnalysis.ts). */
export function analyzeStages(
  text: string,
  options: AnalysisOptions,
  lines: string[] = splitLines(text),
): { analysis: Analysis; state: PacketState; prefixedHeads: boolean | undefined } {
  const binary = looksBinary(text);
  const { packets, prefixedHeads } = binary
    ? { packets: [] as Packet[], prefixedHeads: undefined }
    : parseCapture(text, lines);
  return { ...analyzePackets(lines, packets, options, binary), prefixedHeads };
}

/** The analysis of parsed packets: fed to fresh state, every RST judged at the end. */
export function analyzePackets(
  lines: readonly string[],
  packets: readonly Packet[],
  options: AnalysisOptions,
  binary: boolean,
  packetAtLine?: Int32Array,
): { analysis: Analysis; state: PacketState } {
  const state = feedPackets(packets, options);
  const verdicts: ResetVerdict[] = [];
  for (const index of state.resets.keys()) verdicts.push(judgeAtEnd(state, index, options));
  const baselines = baselinesOf(state.sources);
  const flows = flowsOf(state.conversations);
  return {
    analysis: assembleAnalysis(lines, packets, baselines, flows, verdicts, options, binary, packetAtLine),
    state,
  };
}

/** line → index of the packet covering it, or -1. */
export function linesToPackets(lineCount: number, packets: readonly Packet[]): Int32Array {
  const packetAtLine = new Int32Array(lineCount).fill(-1);
  for (const p of packets) for (let l = p.startLine; l <= p.endLine; l++) packetAtLine[l] = p.index;
  return packetAtLine;
}

/** The findings and look-up tables of an analysis whose packets, baselines, flows and verdicts are known. */
export function assembleAnalysis(
  lines: readonly string[],
  packets: readonly Packet[],
  baselines: ReadonlyMap<string, SourceBaseline>,
  flows: readonly TcpFlow[],
  verdicts: readonly ResetVerdict[],
  options: AnalysisOptions,
  binary: boolean,
  packetAtLine: Int32Array = linesToPackets(lines.length, packets),
  /** Findings known to be unchanged, by packet (an incremental re-analysis whose lines did not move). */
  unchangedResetFindings?: ReadonlyMap<number, Finding>,
): Analysis {
  const verdictByPacket = new Map(verdicts.map((v) => [v.packet, v]));

  const findings: Finding[] = [];
  const taken = new Set<number>();
  if (binary) {
    findings.push({
      packet: -1,
      startLine: 0,
      startCharacter: 0,
      endLine: 0,
      endCharacter: Math.min(lines[0].length, 8),
      severity: 'information',
      code: 'binary-capture',
      facts: { kind: 'binary-capture' },
      related: [],
    });
  }
  if (packets.length > 0 && !packets.some((p) => p.ttl !== undefined)) {
    findings.push(
      packetFinding(packets[0], {
        severity: 'information',
        code: 'no-ttl',
        facts: { kind: 'no-ttl' },
        related: [],
      }),
    );
    taken.add(packets[0].index);
  }
  const a = { packets, lines, options };
  const devices = new DeviceRegistry();
  for (const v of verdicts) {
    if (
      v.status !== 'suspicious' ||
      CONFIDENCE_RANK[v.confidence!] < CONFIDENCE_RANK[options.minimumConfidence] ||
      taken.has(v.packet)
    )
      continue;
    const finding = unchangedResetFindings?.get(v.packet) ?? resetFinding(v, a);
    findings.push(withDevice(finding, devices.add(packets[v.packet], v)));
    taken.add(v.packet);
  }
  findings.push(...checksumNotes(packets, taken, options));
  findings.sort((x, y) => x.startLine - y.startLine);
  return {
    lines,
    packets,
    baselines,
    flows,
    verdicts,
    findings,
    packetAtLine,
    verdictByPacket,
    devices: devices.devices,
    options,
    binary,
  };
}
