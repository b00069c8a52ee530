import type { DistanceBaseline, SourceBaseline } from './baseline';
import type { TcpFlow } from './flows';
import { isReset, type Packet } from './packet';
import { DEFAULT_SPREAD_RULE, type SpreadRule } from './options';

/*
 * Each function looks at one RST from one angle and returns a named piece of evidence that it was
 * forged, or nothing. None of them decides: the verdict weighs them together.
 * Sequence signals follow Weaver, Sommer and Paxson, "Detecting Forged TCP Reset Packets" (NDSS 2009).
 */

export type EvidenceKind =
  | 'mac-mismatch'
  | 'hop-mismatch'
  | 'initial-ttl-mismatch'
  | 'rst-seq-data'
  | 'data-seq-rst'
  | 'rst-seq-change'
  | 'rst-ack-change'
  | 'burst-ttl-change'
  | 'reset-both-ends'
  | 'rst-burst'
  | 'nonzero-window'
  | 'tos-mismatch'
  | 'df-mismatch'
  | 'ip-id-mismatch'
  | 'rst-payload';

export type Strength = 'conclusive' | 'strong' | 'moderate' | 'weak';

export interface Evidence {
  kind: EvidenceKind;
  strength: Strength;
  /** Weight after adjustments (baseline size, ICMP-only comparison ...). */
  points: number;
  /** Facts for the wording, e.g. { hops: 1, baselineHops: 3 }. */
  facts: Record<string, string | number | boolean>;
  /** Other packets that support this evidence (indices). */
  packets?: number[];
}

export const POINTS: Record<Strength, number> = { conclusive: 10, strong: 3, moderate: 2, weak: 0.5 };

/** Values this far apart come from tcpdump switching between absolute and relative numbering, not from a sender. */
const NUMBERING_JUMP = 1 << 24;

const ev = (
  kind: EvidenceKind,
  strength: Strength,
  facts: Evidence['facts'],
  packets?: number[],
  adjust = 0,
): Evidence => ({
  kind,
  strength,
  points: Math.max(0, POINTS[strength] + adjust),
  facts,
  ...(packets ? { packets } : {}),
});

/** With `-e`: a source MAC the claimed sender never used on this segment. */
export function macEvidence(p: Packet, b: SourceBaseline): Evidence | undefined {
  if (!p.srcMac || b.macs.size === 0 || b.macs.has(p.srcMac)) return undefined;
  const known = [...b.macs.keys()];
  // One MAC for everything else is a fixed neighbour; several (ECMP, VRRP failover) make this weaker.
  return ev('mac-mismatch', known.length === 1 ? 'conclusive' : 'moderate', {
    mac: p.srcMac,
    knownMacs: known.join(', '),
  });
}

/**
 * The RST's hop distance against the baseline's. A stable baseline (one distance) makes any
 * difference strong evidence; a spread one (ECMP, route change, NAT) widens what is consistent, and
 * p0f's rule of thumb (configurable) makes a ≤ 2-hop step beyond it, for a source more than 5 hops
 * away, weak.
 */
export function hopEvidence(
  hops: number,
  b: DistanceBaseline,
  comparedWith: 'tcp' | 'other',
  spread: SpreadRule = DEFAULT_SPREAD_RULE,
): Evidence | undefined {
  if (hops >= b.minHops && hops <= b.maxHops) return undefined;
  const off = hops < b.minHops ? b.minHops - hops : hops - b.maxHops;
  const stable = b.minHops === b.maxHops;
  const strength: Strength = stable
    ? 'strong'
    : off <= spread.weakStepHops && b.minHops > spread.farSourceHops
      ? 'weak'
      : 'moderate';
  let adjust = 0;
  if (comparedWith === 'other') adjust -= 1; // ICMP/UDP may be answered by another part of the path or stack
  if (b.packets.length === 1)
    adjust -= 1; // one packet is a thin baseline
  else if (b.packets.length >= 20) adjust += 0.5;
  const nearest = [...b.byHops.keys()].reduce((n, h) => (Math.abs(h - hops) < Math.abs(n - hops) ? h : n), b.minHops);
  return ev(
    'hop-mismatch',
    strength,
    {
      hops,
      baselineHops: nearest,
      off,
      stable,
      baselinePackets: b.packets.length,
      icmpOnly: comparedWith === 'other' && b.icmpOnly,
    },
    b.byHops.get(nearest),
    adjust,
  );
}

/** The RST's stack starts from another initial TTL than the claimed sender's (255 vs 64) — even at equal hops. */
export function initialTtlEvidence(
  initialTtl: number,
  b: DistanceBaseline,
  comparedWith: 'tcp' | 'other',
): Evidence | undefined {
  if (b.initialTtls.includes(initialTtl)) return undefined;
  // Solaris and others start ICMP at 255 and TCP at 64: against non-TCP packets this is weak.
  const strength: Strength = comparedWith === 'other' ? 'weak' : b.initialTtls.length === 1 ? 'strong' : 'moderate';
  return ev('initial-ttl-mismatch', strength, {
    initialTtl,
    baselineInitialTtls: b.initialTtls.join('/'),
    comparedWith,
  });
}

const sameDirection = (a: Packet, b: Packet): boolean =>
  a.src === b.src && a.srcPort === b.srcPort && a.dst === b.dst && a.dstPort === b.dstPort;
const sameNumbering = (x: number, y: number): boolean => Math.abs(x - y) < NUMBERING_JUMP;

/** Per-conversation running facts, computed once per flow in one pass so each RST is judged in O(1) + its RST run. */
interface FlowIndex {
  position: Map<number, number>;
  /** Highest seq+length of data that packet's direction had sent before it (or undefined), and the packet that sent it. */
  sentUpTo: (number | undefined)[];
  sentUpToWitness: number[];
  /** Later non-RST data packets of that packet's direction: count and the first one. */
  laterData: number[];
  laterDataFirst: number[];
  /** Position where the run of adjacent same-direction RSTs containing this position starts. */
  runStart: Int32Array;
}

const flowIndexes = new WeakMap<TcpFlow, FlowIndex>();

function directionKey(p: Packet): string {
  return `${p.src} ${p.srcPort} ${p.dst} ${p.dstPort}`;
}

function indexFlow(flow: TcpFlow, packets: readonly Packet[]): FlowIndex {
  let idx = flowIndexes.get(flow);
  if (idx) return idx;
  const n = flow.packets.length;
  idx = {
    position: new Map(),
    sentUpTo: new Array<number | undefined>(n),
    sentUpToWitness: new Array<number>(n).fill(-1),
    laterData: new Array<number>(n).fill(0),
    laterDataFirst: new Array<number>(n).fill(-1),
    runStart: new Int32Array(n),
  };
  const upTo = new Map<string, { end: number; witness: number }>();
  flow.packets.forEach((i, pos) => {
    const q = packets[i];
    idx.position.set(i, pos);
    const prev = pos > 0 ? packets[flow.packets[pos - 1]] : undefined;
    idx.runStart[pos] = prev && isReset(q) && isReset(prev) && sameDirection(prev, q) ? idx.runStart[pos - 1] : pos;
    const dir = directionKey(q);
    const sent = upTo.get(dir);
    idx.sentUpTo[pos] = sent?.end;
    idx.sentUpToWitness[pos] = sent?.witness ?? -1;
    if (!isReset(q) && q.seq !== undefined && (q.payloadLength ?? 0) > 0) {
      const end = q.seq + q.payloadLength!;
      if (!sent || end > sent.end) upTo.set(dir, { end, witness: i });
    }
  });
  const later = new Map<string, { count: number; first: number }>();
  for (let pos = n - 1; pos >= 0; pos--) {
    const q = packets[flow.packets[pos]];
    const dir = directionKey(q);
    const l = later.get(dir);
    idx.laterData[pos] = l?.count ?? 0;
    idx.laterDataFirst[pos] = l?.first ?? -1;
    if (!isReset(q) && (q.payloadLength ?? 0) > 0) later.set(dir, { count: (l?.count ?? 0) + 1, first: q.index });
  }
  flowIndexes.set(flow, idx);
  return idx;
}

/** Sequence evidence from the RST's TCP conversation. */
export function sequenceEvidence(p: Packet, flow: TcpFlow, packets: readonly Packet[]): Evidence[] {
  const out: Evidence[] = [];
  const idx = indexFlow(flow, packets);
  const pos = idx.position.get(p.index)!;

  // RST_SEQ_DATA: the claimed sender went on sending data after "its" RST.
  if (idx.laterData[pos] > 0)
    out.push(ev('rst-seq-data', 'moderate', { count: idx.laterData[pos] }, [idx.laterDataFirst[pos]]));

  // DATA_SEQ_RST: the RST's sequence number lies behind data that side had already sent.
  const sentUpTo = idx.sentUpTo[pos];
  if (p.seq !== undefined && sentUpTo !== undefined && p.seq < sentUpTo && sameNumbering(p.seq, sentUpTo)) {
    out.push(ev('data-seq-rst', 'moderate', { seq: p.seq, sentUpTo }, [idx.sentUpToWitness[pos]]));
  }

  const run = rstRun(idx, flow, packets, pos);
  if (run) {
    const others = run.members.filter((i) => i !== p.index).slice(0, 10);
    for (const e of run.evidence) out.push({ ...e, packets: others });
    // RSTs to both ends at once: an injector resets both sides of the conversation.
    const opposite = run.neighbours.find((q) => isReset(q) && q.src === p.dst && q.srcPort === p.dstPort);
    if (opposite) out.push(ev('reset-both-ends', 'moderate', {}, [opposite.index]));
  } else {
    const neighbours = [flow.packets[pos - 1], flow.packets[pos + 1]]
      .filter((i) => i !== undefined)
      .map((i) => packets[i]);
    const opposite = neighbours.find((q) => isReset(q) && q.src === p.dst && q.srcPort === p.dstPort);
    if (opposite) out.push(ev('reset-both-ends', 'moderate', {}, [opposite.index]));
  }
  return out;
}

interface RstRun {
  /** Packet indices of the run, at most the first 64 (enough to judge, bounded for huge bursts). */
  members: number[];
  evidence: Evidence[];
  /** The packets just before and after the run in the conversation. */
  neighbours: Packet[];
}

const runCache = new WeakMap<FlowIndex, Map<number, RstRun | null>>();

/** The run of adjacent same-direction RSTs around `pos`, judged once per run (bursts can be huge). */
function rstRun(idx: FlowIndex, flow: TcpFlow, packets: readonly Packet[], pos: number): RstRun | null {
  const p = packets[flow.packets[pos]];
  const inRun = (at: number): boolean =>
    at >= 0 &&
    at < flow.packets.length &&
    isReset(packets[flow.packets[at]]) &&
    sameDirection(packets[flow.packets[at]], p);
  const lo = idx.runStart[pos];
  let cache = runCache.get(idx);
  if (!cache) runCache.set(idx, (cache = new Map<number, RstRun | null>()));
  if (cache.has(lo)) return cache.get(lo)!;
  let hi = lo;
  while (inRun(hi + 1)) hi++;
  if (hi === lo) {
    cache.set(lo, null);
    return null;
  }
  const run = flow.packets.slice(lo, Math.min(hi, lo + 63) + 1).map((i) => packets[i]);
  const length = hi - lo + 1;
  const evidence: Evidence[] = [];
  const seqs = run.map((q) => q.seq);
  if (seqs.every((s) => s !== undefined)) {
    const pairs = seqs
      .slice(1)
      .map((s, i) => [seqs[i], s] as const)
      .filter(([x, y]) => sameNumbering(x, y));
    if (pairs.length > 0 && pairs.every(([x, y]) => y >= x) && pairs.some(([x, y]) => y > x)) {
      evidence.push(ev('rst-seq-change', 'moderate', { count: length }));
    }
  }
  const acks = run.map((q) => q.ack).filter((a): a is number => a !== undefined);
  if (acks.length >= 2 && acks.slice(1).some((a, i) => a !== acks[i] && sameNumbering(a, acks[i]))) {
    evidence.push(ev('rst-ack-change', 'moderate', { count: length }));
  }
  const ttls = [...new Set(run.map((q) => q.ttl).filter((t): t is number => t !== undefined))].sort((x, y) => x - y);
  if (ttls.length >= 2) evidence.push(ev('burst-ttl-change', 'moderate', { ttls: ttls.join('/') }));
  if (length >= 3) evidence.push(ev('rst-burst', 'weak', { count: length }));
  const neighbours = [flow.packets[lo - 1], flow.packets[hi + 1]].filter((i) => i !== undefined).map((i) => packets[i]);
  const result = { members: run.map((q) => q.index), evidence, neighbours };
  cache.set(lo, result);
  return result;
}

/** Header details that break from the claimed sender's own TCP packets. Each alone is weak. */
export function headerEvidence(p: Packet, b: SourceBaseline | undefined): Evidence[] {
  const out: Evidence[] = [];
  if (p.win !== undefined && p.win > 0) out.push(ev('nonzero-window', 'weak', { win: p.win }));
  if ((p.payloadLength ?? 0) > 0) out.push(ev('rst-payload', 'weak', { length: p.payloadLength! }));
  if (!b) return out;
  if (p.tos !== undefined && b.tcpTos.size > 0 && !b.tcpTos.has(p.tos)) {
    out.push(
      ev('tos-mismatch', 'weak', {
        tos: `0x${p.tos.toString(16)}`,
        baselineTos: [...b.tcpTos.keys()].map((t) => `0x${t.toString(16)}`).join('/'),
      }),
    );
  }
  const { set, clear } = b.tcpDf;
  if (p.df !== undefined && set + clear >= 2 && (p.df ? set === 0 : clear === 0)) {
    out.push(ev('df-mismatch', 'weak', { df: p.df }));
  }
  const ids = b.tcpIpIds;
  if (p.ipId !== undefined && ids.length >= 3) {
    // An ID of 0 alone proves nothing (Linux uses it for its own RSTs and SYN-ACKs); only a clear
    // host pattern the RST breaks counts: always 0, or one counter stepping in small increments.
    const allZero = ids.every((i) => i === 0);
    const counter =
      ids.every((id, i) => i === 0 || (id - ids[i - 1] + 65536) % 65536 <= 256) && ids.some((i) => i !== 0);
    if (allZero && p.ipId !== 0) out.push(ev('ip-id-mismatch', 'weak', { ipId: p.ipId, pattern: 'zero' }));
    else if (counter) {
      const lo = Math.min(...ids) - 256;
      const hi = Math.max(...ids) + 256;
      if (p.ipId < lo || p.ipId > hi)
        out.push(
          ev('ip-id-mismatch', 'weak', {
            ipId: p.ipId,
            pattern: 'counter',
            range: `${Math.min(...ids)}–${Math.max(...ids)}`,
          }),
        );
    }
  }
  return out;
}
