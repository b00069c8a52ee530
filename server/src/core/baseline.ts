import { isReset, type Packet } from './packet';
import { inferInitialTtl } from './ttl';

/** How far one source's packets travelled: hop count → the packets that arrived from that far. */
export interface SourceBaseline {
  source: string;
  /** Indices of the source's non-RST packets that carry a TTL (the evidence of its distance). */
  packets: number[];
  /** hops → indices of packets at that distance, hops ascending. */
  byHops: Map<number, number[]>;
  /** Observed TTLs, ascending, for wording ("TTL 61"). */
  ttls: number[];
  minHops: number;
  maxHops: number;
}

/**
 * One baseline per source address, from all its non-RST packets in the document (before and after
 * any RST): an RST is judged against everything else its claimed sender sent.
 */
export function buildBaselines(packets: readonly Packet[], initialTtls: readonly number[]): Map<string, SourceBaseline> {
  const baselines = new Map<string, SourceBaseline>();
  for (const p of packets) {
    if (p.ttl === undefined || isReset(p)) continue;
    const initial = inferInitialTtl(p.ttl, initialTtls);
    if (initial === undefined) continue;
    const hops = initial - p.ttl;
    let b = baselines.get(p.src);
    if (!b) {
      b = { source: p.src, packets: [], byHops: new Map(), ttls: [], minHops: hops, maxHops: hops };
      baselines.set(p.src, b);
    }
    b.packets.push(p.index);
    const at = b.byHops.get(hops);
    if (at) at.push(p.index);
    else b.byHops.set(hops, [p.index]);
    if (!b.ttls.includes(p.ttl)) b.ttls.push(p.ttl);
    if (hops < b.minHops) b.minHops = hops;
    if (hops > b.maxHops) b.maxHops = hops;
  }
  for (const b of baselines.values()) {
    b.ttls.sort((x, y) => x - y);
    b.byHops = new Map([...b.byHops.entries()].sort((x, y) => x[0] - y[0]));
  }
  return baselines;
}
