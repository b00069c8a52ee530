import type { SourceBaseline } from './baseline';
import { isReset, type Packet } from './packet';
import { inferInitialTtl } from './ttl';

export type ResetStatus =
  /** Its hop distance lies outside every distance its claimed sender's other packets show. */
  | 'suspicious'
  /** Same distance as the claimed sender's other packets: the host itself likely sent it. */
  | 'consistent'
  /** No other packet of the claimed sender carries a TTL: nothing to compare with. */
  | 'no-baseline'
  /** The RST itself carries no TTL (or one above every initial TTL). */
  | 'no-ttl';

/** What the capture says about one RST packet. */
export interface ResetVerdict {
  packet: number;
  source: string;
  status: ResetStatus;
  ttl?: number;
  initialTtl?: number;
  hops?: number;
  baseline?: SourceBaseline;
  /** Baseline distance nearest the RST's (the one the message compares with). */
  baselineHops?: number;
  /**
   * baselineHops − hops: how many hops before the claimed sender the real sender sits
   * (negative: beyond it, farther from the capture point).
   */
  hopsBeforeSender?: number;
}

export function judgeReset(p: Packet, baselines: ReadonlyMap<string, SourceBaseline>, initialTtls: readonly number[]): ResetVerdict {
  const base: ResetVerdict = { packet: p.index, source: p.src, status: 'no-ttl' };
  const initial = p.ttl === undefined ? undefined : inferInitialTtl(p.ttl, initialTtls);
  if (p.ttl === undefined || initial === undefined) return base;
  const hops = initial - p.ttl;
  const verdict: ResetVerdict = { ...base, ttl: p.ttl, initialTtl: initial, hops, status: 'no-baseline' };
  const baseline = baselines.get(p.src);
  if (!baseline) return verdict;
  verdict.baseline = baseline;
  let nearest = baseline.minHops;
  for (const h of baseline.byHops.keys()) if (Math.abs(h - hops) < Math.abs(nearest - hops)) nearest = h;
  verdict.baselineHops = nearest;
  verdict.hopsBeforeSender = nearest - hops;
  verdict.status = hops >= baseline.minHops && hops <= baseline.maxHops ? 'consistent' : 'suspicious';
  return verdict;
}

export function judgeResets(packets: readonly Packet[], baselines: ReadonlyMap<string, SourceBaseline>, initialTtls: readonly number[]): ResetVerdict[] {
  const out: ResetVerdict[] = [];
  for (const p of packets) if (isReset(p)) out.push(judgeReset(p, baselines, initialTtls));
  return out;
}
