import { isReset, type Packet } from './packet';
import { inferInitialTtl } from './ttl';

/** How far a set of packets travelled: hop count → the packets that arrived from that far. */
export interface DistanceBaseline {
  /** Indices of the packets (non-RST, with a usable TTL), document order. */
  packets: number[];
  /** hops → packet indices, hops ascending. */
  byHops: Map<number, number[]>;
  /** Observed TTLs, ascending. */
  ttls: number[];
  /** Initial TTLs the packets were inferred to start from, ascending. */
  initialTtls: number[];
  minHops: number;
  maxHops: number;
  /** Every protocol in it is ICMP/ICMPv6 (some stacks start ICMP at another TTL than TCP). */
  icmpOnly: boolean;
}

/** Everything a source's own non-RST packets say about it. */
export interface SourceBaseline extends DistanceBaseline {
  source: string;
  /** The same, from its TCP packets only: what a TCP RST is best compared with. */
  tcp?: DistanceBaseline;
  /** The same, from its non-TCP packets (ICMP, UDP ...). */
  nonTcp?: DistanceBaseline;
  /** Source MAC addresses seen with `-e`, with counts. */
  macs: Map<string, number>;
  /** TCP packets with DF set / without, among those that printed IP flags. */
  tcpDf: { set: number; clear: number };
  /** TOS values of its TCP packets, with counts. */
  tcpTos: Map<number, number>;
  /** IP IDs of its TCP packets, document order (for the ID pattern). */
  tcpIpIds: number[];
}

function emptyDistance(): DistanceBaseline {
  return {
    packets: [],
    byHops: new Map(),
    ttls: [],
    initialTtls: [],
    minHops: Infinity,
    maxHops: -Infinity,
    icmpOnly: true,
  };
}

function addTo(b: DistanceBaseline, p: Packet, initial: number): void {
  const hops = initial - p.ttl!;
  b.packets.push(p.index);
  const at = b.byHops.get(hops);
  if (at) at.push(p.index);
  else b.byHops.set(hops, [p.index]);
  if (!b.ttls.includes(p.ttl!)) b.ttls.push(p.ttl!);
  if (!b.initialTtls.includes(initial)) b.initialTtls.push(initial);
  if (hops < b.minHops) b.minHops = hops;
  if (hops > b.maxHops) b.maxHops = hops;
  if (p.proto !== 'ICMP' && p.proto !== 'ICMP6') b.icmpOnly = false;
}

function finish(b: DistanceBaseline): void {
  b.ttls.sort((x, y) => x - y);
  b.initialTtls.sort((x, y) => x - y);
  b.byHops = new Map([...b.byHops.entries()].sort((x, y) => x[0] - y[0]));
}

/**
 * One baseline per source address, from all its non-RST packets in the document (before and after
 * any RST): an RST is judged against everything else its claimed sender sent.
 */
export function buildBaselines(
  packets: readonly Packet[],
  initialTtls: readonly number[],
): Map<string, SourceBaseline> {
  const baselines = new Map<string, SourceBaseline>();
  for (const p of packets) {
    if (isReset(p)) continue;
    // TCP whose flags tcpdump did not print (a truncated `[|tcp]`, a line still being typed) may
    // itself be an RST: it says nothing sure about where the real sender sits.
    if (p.proto === 'TCP' && p.flags === undefined) continue;
    let b = baselines.get(p.src);
    if (!b) {
      b = {
        source: p.src,
        ...emptyDistance(),
        macs: new Map(),
        tcpDf: { set: 0, clear: 0 },
        tcpTos: new Map(),
        tcpIpIds: [],
      };
      baselines.set(p.src, b);
    }
    if (p.srcMac) b.macs.set(p.srcMac, (b.macs.get(p.srcMac) ?? 0) + 1);
    const isTcp = p.proto === 'TCP';
    if (isTcp) {
      if (p.df !== undefined) b.tcpDf[p.df ? 'set' : 'clear']++;
      if (p.tos !== undefined) b.tcpTos.set(p.tos, (b.tcpTos.get(p.tos) ?? 0) + 1);
      if (p.ipId !== undefined) b.tcpIpIds.push(p.ipId);
    }
    const initial = p.ttl === undefined ? undefined : inferInitialTtl(p.ttl, initialTtls);
    if (initial === undefined) continue;
    addTo(b, p, initial);
    const part = isTcp ? (b.tcp ??= emptyDistance()) : (b.nonTcp ??= emptyDistance());
    addTo(part, p, initial);
  }
  for (const [source, b] of baselines) {
    if (b.packets.length === 0) {
      // Only TTL-less packets: a source with nothing to measure is no baseline at all.
      baselines.delete(source);
      continue;
    }
    finish(b);
    if (b.tcp) finish(b.tcp);
    if (b.nonTcp) finish(b.nonTcp);
  }
  return baselines;
}
