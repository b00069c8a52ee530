import type { DistanceBaseline, SourceBaseline, SourceState } from './baseline';
import type { PendingReset } from './conversation';
import {
  handshakeEvidence,
  headerEvidence,
  twoSendersEvidence,
  hopEvidence,
  initialTtlEvidence,
  macEvidence,
  sequenceEvidence,
  sequenceRefs,
  POINTS,
  type Evidence,
  type EvidenceKind,
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
  /**
   * Live mode, before the end of input: why the verdict is held lower than its evidence would make
   * it ('one-connection-baseline': only one other connection of the claimed sender shows its
   * distance so far, and per-connection load balancing gives connections paths of their own).
   */
  provisional?: 'one-connection-baseline';
  /** Seconds of silence in its conversation before it, when the capture prints clock times. */
  idleSeconds?: number;
}

/** Evidence about who sent the RST: its header against its claimed sender's own packets. */
const IDENTITY = new Set<EvidenceKind>([
  'hop-mismatch',
  'handshake-hop-mismatch',
  'two-senders',
  'initial-ttl-mismatch',
  'mac-mismatch',
  'ip-id-mismatch',
  'df-mismatch',
  'tos-mismatch',
]);

/**
 * Whether the RST's own header speaks against its claimed sender: one discrepancy of weight, or two
 * weak ones (an ordinary stack's RST may differ in one of DF, TOS or IP ID from its data packets).
 */
function headerSpeaksAgainst(evidence: readonly Evidence[]): boolean {
  const identity = evidence.filter((e) => IDENTITY.has(e.kind));
  return identity.some((e) => e.strength !== 'weak') || new Set(identity.map((e) => e.kind)).size >= 2;
}

/**
 * Race signals an ordinary stack cannot produce together: a burst of three or more back-to-back RSTs
 * whose sequence or acknowledgement numbers walk (an injector covering the window), from one sender.
 */
function raceOnlyAnInjectorMakes(evidence: readonly Evidence[]): boolean {
  const has = (k: EvidenceKind): boolean => evidence.some((e) => e.kind === k);
  return has('rst-burst') && (has('rst-seq-change') || has('rst-ack-change')) && !has('burst-ttl-change');
}

/**
 * Points → confidence. Weak signals (0.5 each) need company to count at all, and however many
 * there are, weak signals alone never make more than low. Race and sequence signals alone are at
 * most low as well (Weaver, Sommer and Paxson: ordinary stacks and middleboxes end connections in
 * odd ways): a warning needs the RST's own header to speak against its claimed sender, or a race no
 * ordinary stack runs. A false accusation costs more trust than a miss.
 */
export function confidenceFrom(evidence: readonly Evidence[]): Confidence | undefined {
  if (evidence.some((e) => e.strength === 'conclusive')) return 'high';
  const points = evidence.reduce((n, e) => n + e.points, 0);
  if (evidence.every((e) => e.strength === 'weak')) return points >= 1 ? 'low' : undefined;
  const warning = headerSpeaksAgainst(evidence) || raceOnlyAnInjectorMakes(evidence);
  if (points >= 3) return warning ? 'high' : 'low';
  if (points >= 2) return warning ? 'medium' : 'low';
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
  /** Live mode before the end of input: later packets may still explain the RST. */
  provisional = false,
): ResetVerdict {
  const p = r.packet;
  const baseline = source?.isBaseline ? source.view() : undefined;
  const { verdict, evidence } = judgeAgainstBaseline(p, baseline, options.initialTtls, options.spreadRule);
  if (named) {
    if (verdict.compared && source) for (const ref of source.namedRefs()) named.set(ref.index, ref);
    for (const ref of sequenceRefs(r)) named.set(ref.index, ref);
  }
  // The handshake speaks only where the sender's whole baseline does not already (no double count).
  const handshake = evidence.some((e) => e.kind === 'hop-mismatch')
    ? undefined
    : handshakeEvidence(p, r, options.initialTtls, options.spreadRule);
  if (handshake) evidence.push(handshake);
  const twoSenders = evidence.some((e) => e.kind === 'hop-mismatch')
    ? undefined
    : twoSendersEvidence(p, r, options.initialTtls, options.spreadRule);
  if (twoSenders) evidence.push(twoSenders);
  evidence.push(...sequenceEvidence(r, laterData));
  evidence.push(...headerEvidence(p, baseline));
  if (r.idleSeconds !== undefined) verdict.idleSeconds = r.idleSeconds;
  const settled = settleVerdict(verdict, withoutExplained(evidence, r, verdict));
  return provisional ? holdBackOnThinBaseline(settled, r) : settled;
}

/**
 * Live mode's word before the end: a distance learnt from one other connection only is not yet a
 * baseline (per-connection load balancing gives each connection its own path), so a verdict that
 * rests on it alone is at most low until more of the sender is seen.
 */
function holdBackOnThinBaseline(v: ResetVerdict, r: PendingReset): ResetVerdict {
  const one = v.comparedWith === 'tcp' ? v.compared?.oneConversation : undefined;
  if (v.status !== 'suspicious' || v.confidence === 'low' || one === undefined || one === r.conversation) return v;
  if (v.evidence.some((e) => e.kind === 'mac-mismatch' || e.kind === 'handshake-hop-mismatch')) return v;
  return { ...v, confidence: 'low', provisional: 'one-connection-baseline' };
}

/** What an ordinary stack's RST, in the forms it has, explains: its numbers follow the peer's. */
const EXPLAINED_BY_KERNEL_FORM = new Set<EvidenceKind>([
  'rst-seq-change',
  'rst-ack-change',
  'rst-burst',
  'data-seq-rst',
  // The kernel answers from its own reply path: DF, TOS and IP ID need not match the socket's.
  'df-mismatch',
  'tos-mismatch',
  'ip-id-mismatch',
]);

/** Signals a burst shares among its members: a member that matches its sender does not inherit them. */
const SHARED_BY_RUN = new Set<EvidenceKind>(['rst-seq-change', 'rst-ack-change', 'burst-ttl-change', 'rst-burst']);

/** Initial TTLs operating systems start their own (kernel) packets from. */
const OS_DEFAULT_INITIAL_TTLS = new Set([64, 128]);

/**
 * The evidence that still speaks against the RST once what ordinary stacks do is accounted for:
 * - an RST in a kernel form (refusing a SYN, answering a segment with its ACK number) has numbers
 *   that follow its peer's, not an injector's, and headers from the kernel's reply path;
 * - an RST that matches its claimed sender in hops, initial TTL, MAC and IP ID does not inherit
 *   the burst signals of the differently-sent RSTs next to it;
 * - at the claimed sender's own distance, a kernel-form RST starting from an operating system's
 *   default while the host's packets start elsewhere (an application-chosen TTL: 1 for eBGP, 255
 *   for GTSM, 128 set on a socket) is that host's kernel: a weak note, not a forgery.
 */
function withoutExplained(evidence: Evidence[], r: PendingReset, verdict: ResetVerdict): Evidence[] {
  let out = evidence;
  if (r.kernelForm) out = out.filter((e) => !EXPLAINED_BY_KERNEL_FORM.has(e.kind));
  const has = (k: EvidenceKind): boolean => out.some((e) => e.kind === k);
  const matchesSender =
    verdict.baseline !== undefined &&
    verdict.hops !== undefined &&
    !has('hop-mismatch') &&
    !has('initial-ttl-mismatch') &&
    !has('mac-mismatch') &&
    !has('ip-id-mismatch');
  // The host's own refusal of the SYN (the farthest one) inherits nothing from a closer sender's RST.
  const isHostRefusal = r.side.hostRefusal?.ref.index === r.packet.index;
  if ((matchesSender || isHostRefusal) && has('burst-ttl-change')) out = out.filter((e) => !SHARED_BY_RUN.has(e.kind));
  const sameDistance =
    verdict.compared !== undefined && verdict.hops !== undefined && verdict.compared.byHops.has(verdict.hops);
  if (r.kernelForm && sameDistance && !has('hop-mismatch') && OS_DEFAULT_INITIAL_TTLS.has(verdict.initialTtl!)) {
    out = out.map((e) =>
      e.kind === 'initial-ttl-mismatch' && e.strength !== 'weak'
        ? { ...e, strength: 'weak', points: POINTS.weak, facts: { ...e.facts, ownKernel: true } }
        : e,
    );
  }
  return out;
}
