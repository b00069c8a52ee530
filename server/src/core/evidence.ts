import type { DistanceBaseline, SourceBaseline } from './baseline';
import type { PendingReset, ResetRun } from './conversation';
import type { Packet } from './packet';
import type { PacketRef } from './retain';
import { inferInitialTtl } from './ttl';
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
  | 'handshake-hop-mismatch'
  | 'two-senders'
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
  if (b.count === 1)
    adjust -= 1; // one packet is a thin baseline
  else if (b.count >= 20) adjust += 0.5;
  const nearest = [...b.byHops.keys()].reduce((n, h) => (Math.abs(h - hops) < Math.abs(n - hops) ? h : n), b.minHops);
  return ev(
    'hop-mismatch',
    strength,
    {
      hops,
      baselineHops: nearest,
      off,
      stable,
      baselinePackets: b.count,
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

const sameNumbering = (x: number, y: number): boolean => Math.abs(x - y) < NUMBERING_JUMP;

/** What a burst of RSTs says, the same for each of its members. */
export function runEvidence(run: ResetRun): Evidence[] {
  const out: Evidence[] = [];
  const seqs = run.members.map((m) => m.seq);
  if (seqs.every((s) => s !== undefined)) {
    const pairs = seqs
      .slice(1)
      .map((s, i) => [seqs[i], s] as const)
      .filter(([x, y]) => sameNumbering(x, y));
    if (pairs.length > 0 && pairs.every(([x, y]) => y >= x) && pairs.some(([x, y]) => y > x)) {
      out.push(ev('rst-seq-change', 'moderate', { count: run.length }));
    }
  }
  const acks = run.members.map((m) => m.ack).filter((a): a is number => a !== undefined);
  if (acks.length >= 2 && acks.slice(1).some((a, i) => a !== acks[i] && sameNumbering(a, acks[i]))) {
    out.push(ev('rst-ack-change', 'moderate', { count: run.length }));
  }
  const ttls = [...new Set(run.members.map((m) => m.ttl).filter((t): t is number => t !== undefined))].sort(
    (x, y) => x - y,
  );
  if (ttls.length >= 2) out.push(ev('burst-ttl-change', 'moderate', { ttls: ttls.join('/') }));
  if (run.length >= 3) out.push(ev('rst-burst', 'weak', { count: run.length }));
  return out;
}

const runEvidenceCache = new WeakMap<ResetRun, Evidence[]>();

/**
 * Sequence evidence from the RST's conversation, as far as it has been seen: `laterData` is how
 * many data packets its claimed sender sent after it (all of them at end of input).
 */
export function sequenceEvidence(r: PendingReset, laterData: number): Evidence[] {
  const out: Evidence[] = [];
  const p = r.packet;
  // RST_SEQ_DATA: the claimed sender went on sending data after "its" RST.
  if (laterData > 0) out.push(ev('rst-seq-data', 'moderate', { count: laterData }, [r.laterFirst?.index ?? -1]));
  // DATA_SEQ_RST: the RST's sequence number lies behind data that side had already sent.
  const seq = r.seq;
  if (seq !== undefined && r.sendPoint !== undefined && seq < r.sendPoint && sameNumbering(seq, r.sendPoint)) {
    out.push(ev('data-seq-rst', 'moderate', { seq, sentUpTo: r.sendPoint }, [r.witness!.index]));
  }
  const run = r.run;
  if (run.length > 1) {
    const others = run.members.filter((m) => m.ref.index !== p.index).slice(0, 10);
    // A closed run's evidence is final: worked out once for all its members (bursts can be huge).
    let shared = runEvidenceCache.get(run);
    if (!shared) {
      shared = runEvidence(run);
      if (run.closed) runEvidenceCache.set(run, shared);
    }
    for (const e of shared) out.push({ ...e, packets: others.map((m) => m.ref.index) });
  }
  // RSTs to both ends at once: an injector resets both sides of the conversation.
  // Only when the two share one origin (the same TTL): two hosts aborting at once is ordinary.
  const opposite = [run.before, run.after].find(
    (q) => q !== undefined && q.reset && q.ref.src === p.dst && q.srcPort === p.dstPort && q.ref.ttl === p.ttl,
  );
  if (opposite) out.push(ev('reset-both-ends', 'moderate', {}, [opposite.ref.index]));
  return out;
}

/**
 * The RST against its claimed sender's own handshake in this conversation: the stack that opened
 * the connection sits at one distance; an RST from another distance was sent by another device,
 * even when a block page or FIN from that device (sent before the RST, at its distance) makes the
 * sender's overall baseline look spread (rule 6 of issue 14: judge by the baseline from before the
 * injection). A step within p0f's spread rule (≤ 2 hops by default) is weak: a load balancer may
 * hand the connection to a server behind it, and some paths balance per packet.
 */
export function handshakeEvidence(
  p: Packet,
  r: PendingReset,
  initialTtls: readonly number[],
  spread: SpreadRule = DEFAULT_SPREAD_RULE,
): Evidence | undefined {
  const h = r.handshake;
  if (!h || h.ttl === undefined || p.ttl === undefined || p.ttl === 1 || h.ttl === 1) return undefined;
  const hInitial = inferInitialTtl(h.ttl, initialTtls);
  const initial = inferInitialTtl(p.ttl, initialTtls);
  if (hInitial === undefined || initial === undefined) return undefined;
  const hops = initial - p.ttl;
  const handshakeHops = hInitial - h.ttl;
  if (hops === handshakeHops) return undefined;
  return ev(
    'handshake-hop-mismatch',
    Math.abs(hops - handshakeHops) > spread.weakStepHops ? 'moderate' : 'weak',
    { hops, handshakeHops, handshakeTtl: h.ttl },
    [h.index],
  );
}

/**
 * Two senders inside one connection (rule 5 of issue 14): RSTs claiming one address arrive from two
 * distances, with no other packet of it to compare with. The farther one refusing the SYN is the
 * host's kernel; one from closer was sent by a device in between. Weak within p0f's 2-hop step.
 */
export function twoSendersEvidence(
  p: Packet,
  r: PendingReset,
  initialTtls: readonly number[],
  spread: SpreadRule = DEFAULT_SPREAD_RULE,
): Evidence | undefined {
  const host = r.side.hostRefusal;
  if (!host || host.ref.index === p.index || p.ttl === undefined) return undefined;
  const initial = inferInitialTtl(p.ttl, initialTtls);
  if (initial === undefined) return undefined;
  const hops = initial - p.ttl;
  if (hops >= host.hops) return undefined;
  return ev(
    'two-senders',
    host.hops - hops > spread.weakStepHops ? 'moderate' : 'weak',
    { hops, hostHops: host.hops, hostTtl: host.ref.ttl ?? 0 },
    [host.ref.index],
  );
}

/** The packets a piece of sequence evidence names, as the conversation state keeps them. */
export function sequenceRefs(r: PendingReset): PacketRef[] {
  const out: PacketRef[] = [];
  if (r.laterFirst) out.push(r.laterFirst);
  if (r.handshake) out.push(r.handshake);
  if (r.side.hostRefusal) out.push(r.side.hostRefusal.ref);
  if (r.witness) out.push(r.witness);
  for (const m of r.run.members.slice(0, 11)) out.push(m.ref);
  if (r.run.before) out.push(r.run.before.ref);
  if (r.run.after) out.push(r.run.after.ref);
  return out;
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
  if (p.ipId !== undefined && ids.count >= 3) {
    // An ID of 0 alone proves nothing (Linux uses it for its own RSTs and SYN-ACKs); only a clear
    // host pattern the RST breaks counts: always 0, or one counter stepping in small increments.
    const counter = ids.smallSteps && !ids.allZero;
    if (ids.allZero && p.ipId !== 0) out.push(ev('ip-id-mismatch', 'weak', { ipId: p.ipId, pattern: 'zero' }));
    else if (counter && p.ipId !== 0 && (p.ipId < ids.min - 256 || p.ipId > ids.max + 256)) {
      out.push(ev('ip-id-mismatch', 'weak', { ipId: p.ipId, pattern: 'counter', range: `${ids.min}–${ids.max}` }));
    }
  }
  return out;
}
