import { flowKeyOf } from './conversation';
import { isReset, type Packet } from './packet';
import type { PacketRef, Retainer } from './retain';
import { inferInitialTtl } from './ttl';

/** At most this many packets are named per distance (and in all): all a finding or hover shows. */
export const NAMED_PACKETS = 20;
/** Distinct MAC addresses remembered per source (a segment has few; this only bounds a flood). */
const MAC_LIMIT = 256;

/** How far a set of packets travelled: hop count → the packets that arrived from that far. */
export interface DistanceBaseline {
  /** How many packets (non-RST, with a usable TTL). */
  count: number;
  /** The first NAMED_PACKETS of them (indices, document order). */
  packets: number[];
  /** hops → the first NAMED_PACKETS packets from that far, hops ascending. */
  byHops: Map<number, number[]>;
  /** hops → how many packets arrived from that far. */
  countByHops: Map<number, number>;
  /** Observed TTLs, ascending. */
  ttls: number[];
  /** Initial TTLs the packets were inferred to start from, ascending. */
  initialTtls: number[];
  minHops: number;
  maxHops: number;
  /** Every protocol in it is ICMP/ICMPv6 (some stacks start ICMP at another TTL than TCP). */
  icmpOnly: boolean;
  /** Set when every packet of it belongs to this one TCP conversation (its flowKeyOf key). */
  oneConversation?: string;
}

/** The IP IDs of a source's TCP packets, as the facts the ID-pattern evidence reads. */
export interface IpIdFacts {
  count: number;
  allZero: boolean;
  /** Every step from one ID to the next is a small increment (mod 2^16). */
  smallSteps: boolean;
  min: number;
  max: number;
}

/** Everything a source's own non-RST packets say about it, at one moment (a verdict keeps it as a fact). */
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
  /** IP IDs of its TCP packets. */
  tcpIpIds: IpIdFacts;
}

/**
 * Which packets tell where their source sits: not RSTs (those are what is judged), and not TCP
 * whose flags tcpdump did not print (a truncated `[|tcp]`, a line still being typed), which may
 * itself be an RST.
 */
export function feedsBaseline(p: Packet): boolean {
  return !isReset(p) && !(p.proto === 'TCP' && p.flags === undefined);
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1] > value) i--;
  if (list[i - 1] !== value) list.splice(i, 0, value);
}

/** A DistanceBaseline as it grows: counts, and the first NAMED_PACKETS packets. */
class DistanceState {
  count = 0;
  first: PacketRef[] = [];
  byHops = new Map<number, { count: number; first: PacketRef[] }>();
  ttls: number[] = [];
  initialTtls: number[] = [];
  minHops = Infinity;
  maxHops = -Infinity;
  icmpOnly = true;
  /** The one TCP conversation all its packets came from; null once there are several. */
  conversation: string | null | undefined;

  /** `ref` makes the packet's ref, only asked for when the packet is among those named. */
  add(p: Packet, ref: () => PacketRef, initial: number): void {
    const hops = initial - p.ttl!;
    this.count++;
    if (this.first.length < NAMED_PACKETS) this.first.push(ref());
    let at = this.byHops.get(hops);
    if (!at) this.byHops.set(hops, (at = { count: 0, first: [] }));
    at.count++;
    if (at.first.length < NAMED_PACKETS) at.first.push(ref());
    if (this.ttls[this.ttls.length - 1] !== p.ttl) insertSorted(this.ttls, p.ttl!);
    if (this.initialTtls[this.initialTtls.length - 1] !== initial) insertSorted(this.initialTtls, initial);
    if (hops < this.minHops) this.minHops = hops;
    if (hops > this.maxHops) this.maxHops = hops;
    if (this.icmpOnly && p.proto !== 'ICMP' && p.proto !== 'ICMP6') this.icmpOnly = false;
  }

  view(): DistanceBaseline {
    const hops = [...this.byHops.keys()].sort((x, y) => x - y);
    return {
      count: this.count,
      packets: this.first.map((r) => r.index),
      byHops: new Map(hops.map((h) => [h, this.byHops.get(h)!.first.map((r) => r.index)])),
      countByHops: new Map(hops.map((h) => [h, this.byHops.get(h)!.count])),
      ttls: [...this.ttls],
      initialTtls: [...this.initialTtls],
      minHops: this.minHops,
      maxHops: this.maxHops,
      icmpOnly: this.icmpOnly,
      ...(this.conversation ? { oneConversation: this.conversation } : {}),
    };
  }
}

/**
 * One source's baseline as its packets arrive, in bounded space (counts and sets, not packet
 * lists). Every driver feeds these: a whole text all at once, a stream as it goes, an edit only the
 * sources it touched.
 */
export class SourceState {
  readonly all = new DistanceState();
  tcp?: DistanceState;
  nonTcp?: DistanceState;
  private readonly macs = new Map<string, number>();
  private readonly tcpDf = { set: 0, clear: 0 };
  private readonly tcpTos = new Map<number, number>();
  private readonly ids: IpIdFacts = { count: 0, allZero: true, smallSteps: true, min: Infinity, max: -Infinity };
  private lastId = 0;
  private snapshot: SourceBaseline | undefined;
  /** The packet being added and its ref, made at most once (a copy when streaming). */
  private adding: { p: Packet; firstLine: string | undefined; ref?: PacketRef } = { p: undefined!, firstLine: '' };
  private readonly refOfAdding = (): PacketRef =>
    (this.adding.ref ??= this.retainer.ref(this.adding.p, this.adding.firstLine, this.initialTtls));
  readonly source: string;

  constructor(
    source: string,
    private readonly retainer: Retainer,
    private readonly initialTtls: readonly number[],
  ) {
    this.source = retainer.string(source);
  }

  /** One more packet of this source (the caller checks feedsBaseline). */
  add(p: Packet, firstLine?: string): void {
    this.snapshot = undefined;
    if (p.srcMac) {
      const n = this.macs.get(p.srcMac);
      if (n !== undefined) this.macs.set(p.srcMac, n + 1);
      else if (this.macs.size < MAC_LIMIT) this.macs.set(this.retainer.string(p.srcMac), 1);
    }
    const isTcp = p.proto === 'TCP';
    if (isTcp) {
      if (p.df !== undefined) this.tcpDf[p.df ? 'set' : 'clear']++;
      if (p.tos !== undefined) this.tcpTos.set(p.tos, (this.tcpTos.get(p.tos) ?? 0) + 1);
      if (p.ipId !== undefined) this.addId(p.ipId);
    }
    const initial = p.ttl === undefined ? undefined : inferInitialTtl(p.ttl, this.initialTtls);
    if (initial === undefined) return;
    this.adding.p = p;
    this.adding.firstLine = firstLine;
    this.adding.ref = undefined;
    this.all.add(p, this.refOfAdding, initial);
    const part = isTcp ? (this.tcp ??= new DistanceState()) : (this.nonTcp ??= new DistanceState());
    part.add(p, this.refOfAdding, initial);
    // Whether one connection alone tells where it sits (per-connection load balancing may differ).
    if (isTcp && part.conversation !== null) {
      const key = flowKeyOf(p);
      if (part.conversation === undefined) part.conversation = key === undefined ? null : this.retainer.string(key);
      else if (key !== part.conversation) part.conversation = null;
    }
  }

  private addId(id: number): void {
    const ids = this.ids;
    if (ids.count > 0 && (id - this.lastId + 65536) % 65536 > 256) ids.smallSteps = false;
    if (id !== 0) ids.allZero = false;
    if (id < ids.min) ids.min = id;
    if (id > ids.max) ids.max = id;
    this.lastId = id;
    ids.count++;
  }

  /** A source whose packets carry no usable TTL is no baseline at all. */
  get isBaseline(): boolean {
    return this.all.count > 0;
  }

  /** The packets the state names (first per distance), for a streamed finding's related locations. */
  namedRefs(): readonly PacketRef[] {
    return (this.tcp ?? this.nonTcp ?? this.all).first;
  }

  /** The baseline as it stands now; a copy later packets do not change (verdicts keep it as a fact). */
  view(): SourceBaseline {
    return (this.snapshot ??= {
      source: this.source,
      ...this.all.view(),
      tcp: this.tcp?.view(),
      nonTcp: this.nonTcp?.view(),
      macs: new Map(this.macs),
      tcpDf: { ...this.tcpDf },
      tcpTos: new Map(this.tcpTos),
      tcpIpIds: { ...this.ids },
    });
  }
}
