import type { DistanceBaseline, SourceBaseline, SourceState } from './baseline';
import type { PendingReset } from './conversation';
import {
  headerEvidence,
  hopEvidence,
  initialTtlEvidence,
  macEvidence,
  sequenceEvidence,
  sequenceRefs,
  type Evidence,
} from './evidence';
import type { Packet } from './packet';
import type { PacketRef } from './retain';
import type { Confidence, SpreadRule } from './options';
import { inferInitialTtl } from './ttl';

export type ResetStatus =
  /** The evidence says its claimed sender likely did not send it (see `confidence`). */
  | 'suspicious'
  /** Compared with its claimed sender's packets and nothing (or too little) speaks against it. */
  | 'consistent'
  /** No other packet of the claimed sender carries a TTL, and no other evidence: nothing to compare with. */
  | 'no-baseline'
  /** The RST itself carries no TTL (or one above every initial TTL), and no other evidence. */
  | 'no-ttl';

export type { Confidence };

/** What the capture says about one RST packet. */
export interface ResetVerdict {
  packet: number;
  source: string;
  status: ResetStatus;
  /** Set when suspicious: high and medium are warnings, low is information. */
  confidence?: Confidence;
  /** Every piece of evidence, strongest first. */
  evidence: Evidence[];
  ttl?: number;
  initialTtl?: number;
  hops?: number;
  /** The claimed sender's whole baseline (all its non-RST packets). */
  baseline?: SourceBaseline;
  /** The part of it the RST was compared with: its TCP packets when there are any. */
  compared?: DistanceBaseline;
  comparedWith?: 'tcp' | 'other';
  /** Baseline distance nearest the RST's (the one the message compares with). */
  baselineHops?: number;
  /**
   * baselineHops − hops: how many hops before the claimed sender the real sender sits
   * (negative: beyond it, farther from the capture point).
   */
  hopsBeforeSender?: number;
}

/**
 * Points → confidence. Weak signals (0.5 each) need company to count at all, and however many
 * there are, weak signals alone never make more than low: a false alarm costs more trust than a miss.
 */
export function confidenceFrom(evidence: readonly Evidence[]): Confidence | undefined {
  if (evidence.some((e) => e.strength === 'conclusive')) return 'high';
  const points = evidence.reduce((n, e) => n + e.points, 0);
  if (evidence.every((e) => e.strength === 'weak')) return points >= 1 ? 'low' : undefined;
  if (points >= 3) return 'high';
  if (points >= 2) return 'medium';
  if (points >= 1) return 'low';
  return undefined;
}

const RANK = { conclusive: 0, strong: 1, moderate: 2, weak: 3 } as const;

/**
 * What an RST's own header says against its claimed sender's baseline: the MAC, the hop distance
 * and the initial TTL.
 */
export function judgeAgainstBaseline(
  p: Packet,
  baseline: SourceBaseline | undefined,
  initialTtls: readonly number[],
  spreadRule?: SpreadRule,
): { verdict: ResetVerdict; evidence: Evidence[] } {
  const verdict: ResetVerdict = { packet: p.index, source: p.src, status: 'no-ttl', evidence: [] };
  const evidence: Evidence[] = [];
  const initial = p.ttl === undefined ? undefined : inferInitialTtl(p.ttl, initialTtls);
  if (baseline) {
    verdict.baseline = baseline;
    const mac = macEvidence(p, baseline);
    if (mac) evidence.push(mac);
  }
  if (p.ttl !== undefined && initial !== undefined) {
    verdict.ttl = p.ttl;
    verdict.initialTtl = initial;
    verdict.hops = initial - p.ttl;
    verdict.status = 'no-baseline';
    if (baseline) {
      // Prefer the same protocol: some stacks start ICMP and TCP at different TTLs.
      const comparedWith = baseline.tcp ? 'tcp' : 'other';
      const compared = baseline.tcp ?? baseline.nonTcp ?? baseline;
      verdict.compared = compared;
      verdict.comparedWith = comparedWith;
      let nearest = compared.minHops;
      for (const h of compared.byHops.keys())
        if (Math.abs(h - verdict.hops) < Math.abs(nearest - verdict.hops)) nearest = h;
      verdict.baselineHops = nearest;
      verdict.hopsBeforeSender = nearest - verdict.hops;
      verdict.status = 'consistent';
      const hop = hopEvidence(verdict.hops, compared, comparedWith, spreadRule);
      if (hop) evidence.push(hop);
      const init = initialTtlEvidence(initial, compared, comparedWith);
      if (init) evidence.push(init);
    }
  }
  return { verdict, evidence };
}

/** Puts the evidence strongest first and lets it decide: suspicious (with a confidence) or not. */
export function settleVerdict(verdict: ResetVerdict, evidence: Evidence[]): ResetVerdict {
  evidence.sort((a, b) => RANK[a.strength] - RANK[b.strength] || b.points - a.points);
  verdict.evidence = evidence;
  const confidence = confidenceFrom(evidence);
  if (confidence) {
    verdict.status = 'suspicious';
    verdict.confidence = confidence;
  }
  return verdict;
}

/**
 * The one judge: an RST against its claimed sender's baseline and what its conversation has shown
 * (`laterData`: its sender's data packets after it, so far). Every driver calls this, at the end
 * of input or as packets arrive; `named`, when given, collects the refs of the packets the
 * verdict may name (a streamed finding points at them after their text is gone).
 */
export function judgeReset(
  r: PendingReset,
  source: SourceState | undefined,
  laterData: number,
  options: { initialTtls: readonly number[]; spreadRule?: SpreadRule },
  named?: Map<number, PacketRef>,
): ResetVerdict {
  const p = r.packet;
  const baseline = source?.isBaseline ? source.view() : undefined;
  const { verdict, evidence } = judgeAgainstBaseline(p, baseline, options.initialTtls, options.spreadRule);
  if (named) {
    if (verdict.compared && source) for (const ref of source.namedRefs()) named.set(ref.index, ref);
    for (const ref of sequenceRefs(r)) named.set(ref.index, ref);
  }
  evidence.push(...sequenceEvidence(r, laterData));
  evidence.push(...headerEvidence(p, baseline));
  return settleVerdict(verdict, evidence);
}
