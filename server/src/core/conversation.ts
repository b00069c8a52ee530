import { endpoint, type TcpFlow } from './flows';
import { isReset, type Packet } from './packet';
import type { PacketRef, Retainer } from './retain';
import { packetTime, secondsBetween } from './time';
import { inferInitialTtl } from './ttl';

/*
 * Per-conversation state as packets arrive: what the sequence evidence needs to know about each RST
 * (how much data its sender had sent before it, whether it sent more after it, the burst of RSTs it
 * belongs to and the packets around that burst). Every driver feeds this one tracker; they differ
 * only in when they judge the RSTs it hands back.
 */

/** Run evidence looks at the first 64 RSTs of a burst (enough to judge, bounded for huge bursts). */
export const RUN_MEMBER_LIMIT = 64;

/** The packet next to an RST (run) in its conversation, for the both-ends test. */
export interface Neighbour {
  ref: PacketRef;
  reset: boolean;
  srcPort?: string;
}

export interface RunMember {
  ref: PacketRef;
  seq?: number;
  ack?: number;
  ttl?: number;
}

/** Adjacent same-direction RSTs of one conversation (a lone RST is a run of one). */
export interface ResetRun {
  /** The side of the conversation that sent it (none for an RST outside any tracked conversation). */
  side?: FlowSide;
  /** The first RUN_MEMBER_LIMIT of them. */
  members: RunMember[];
  length: number;
  before?: Neighbour;
  after?: Neighbour;
  /** The conversation's next packet (or its end) has shown the run is over. */
  closed: boolean;
}

export interface FlowSide {
  /** The sequence number of this side's SYN (tcpdump prints it absolute), when seen. */
  isn?: number;
  /** This side's first SYN-ACK with a TTL: where the stack that accepted the connection sits. */
  handshake?: PacketRef;
  /**
   * Whether this side's packets, after arriving from another TTL than the handshake, arrived from
   * the handshake's TTL again: its path alternates (per-packet load balancing), so a TTL that
   * differs from the handshake's says nothing about who sent a packet.
   */
  pathAlternates?: boolean;
  /** Whether a packet of this side after the handshake arrived from another TTL than it. */
  leftHandshakeTtl?: boolean;
  /**
   * The farthest of this side's RSTs that refuse a SYN (the host's kernel answers a SYN for a port
   * nothing listens on; a device in between that answers for it sits closer), and its hop count.
   */
  hostRefusal?: { ref: PacketRef; hops: number };
  /** The sequence number of this side's latest bare SYN (an RST refusing it acknowledges it + 1). */
  synSeq?: number;
  /** The acknowledgement numbers of this side's latest packets (at most RECENT_ACKS), newest last. */
  recentAcks: number[];
  /**
   * Where this side's sending stands: the end of its latest data segment (absolute), and that
   * segment. A retransmission moves it back: a stack that resets after retransmitting resets from
   * there, not from the highest sequence number it ever sent.
   */
  sendPoint?: number;
  witness?: PacketRef;
  /** Non-RST data packets this side sent so far. */
  data: number;
  /** RSTs waiting to learn which data packet of this side came first after them. */
  awaitingData: PendingReset[];
}

/** One TCP conversation's state (both directions). */
export interface Conversation {
  /** The direction-free key (flowKeyOf). */
  key: string;
  /** When its latest packet with a clock time arrived. */
  lastTime?: { seconds: number; ofDay: boolean };
  /** The endpoint its first packet came from: packets from it are side A, the rest side B. */
  firstSrc: string;
  firstPort?: string;
  sideA?: FlowSide;
  sideB?: FlowSide;
  last?: Neighbour;
  run?: ResetRun;
  /** Its packets and ending, when the tracker keeps them (a whole-text analysis's conversations). */
  flow?: TcpFlow;
}

/**
 * The forms of RST an ordinary stack sends for a connection it does not have: refusing a SYN (RST,ACK
 * acknowledging it), or answering an arriving segment with its acknowledgement number as the RST's
 * sequence number and no ACK flag (RFC 793 §3.4, "reset generation"; a closed or aborted socket).
 */
export type KernelResetForm = 'refuses-syn' | 'answers-segment';

/** Acknowledgement numbers remembered per side, for telling an RST that answers one of them. */
const RECENT_ACKS = 8;

/** An RST and what its conversation has shown about it so far. */
export interface PendingReset {
  /** Set when the RST has a form an ordinary stack sends (see KernelResetForm). */
  kernelForm?: KernelResetForm;
  /** Its sender's handshake packet in this conversation, when there was one and its path did not alternate. */
  handshake?: PacketRef;
  /** Its conversation's key (flowKeyOf), when it has one. */
  conversation?: string;
  /** Seconds of silence in its conversation before it (clock timestamps only). */
  idleSeconds?: number;
  packet: Packet;
  ref: PacketRef;
  run: ResetRun;
  /** Its sender's side of the conversation. */
  side: FlowSide;
  /** Its sender's send point when it came (see FlowSide.sendPoint), and the segment that set it. */
  sendPoint?: number;
  witness?: PacketRef;
  /** Its sequence number, absolute (tcpdump prints a conversation's later numbers relative). */
  seq?: number;
  /** Its side's data packets before it. */
  dataBefore: number;
  /** The first data packet its claimed sender sent after it. */
  laterFirst?: PacketRef;
}

/** The same key for both directions of a TCP conversation; undefined for anything else. */
export function flowKeyOf(p: Packet): string | undefined {
  if (p.proto !== 'TCP' || p.srcPort === undefined || p.dstPort === undefined) return undefined;
  const x = endpoint(p.src, p.srcPort);
  const y = endpoint(p.dst, p.dstPort);
  return x < y ? `${x} ${y}` : `${y} ${x}`;
}

/** An RST outside any conversation tracked (no ports): judged on its header alone. */
export function loneReset(p: Packet, ref: PacketRef): PendingReset {
  return {
    packet: p,
    ref,
    run: { members: [], length: 1, closed: true },
    side: { data: 0, recentAcks: [], awaitingData: [] },
    dataBefore: 0,
  };
}

/**
 * A bare SYN with another initial sequence number than the last one of its direction opens a new
 * connection on a reused four-tuple: what the old one did says nothing about the new one's RSTs.
 */
function opensNewConnection(p: Packet, lastIsn: number | undefined): boolean {
  return p.flags === 'S' && p.seq !== undefined && lastIsn !== undefined && p.seq !== lastIsn;
}

/** Values this far apart come from tcpdump switching between absolute and relative numbering. */
const NUMBERING_JUMP = 1 << 24;

/**
 * A sequence number as absolute: tcpdump prints a conversation's numbers relative to its initial
 * one after the handshake, but an RST's often absolute. A value far from the initial sequence
 * number is relative to it.
 */
export function absoluteSeq(seq: number, isn: number | undefined): number {
  if (isn === undefined) return seq;
  const d = Math.abs(seq - isn);
  return Math.min(d, 2 ** 32 - d) < NUMBERING_JUMP ? seq : (isn + seq) >>> 0;
}

/** Whether RST `p` from `side` has an ordinary stack's form, given what its peer sent. */
function kernelFormOf(p: Packet, side: FlowSide, peer: FlowSide | undefined): KernelResetForm | undefined {
  if (!peer || p.flags === undefined) return undefined;
  const acks = p.flags.includes('.');
  if (
    acks &&
    p.ack !== undefined &&
    peer.synSeq !== undefined &&
    absoluteSeq(p.ack, peer.synSeq) === (peer.synSeq + 1) >>> 0
  )
    return 'refuses-syn';
  if (acks || p.seq === undefined) return undefined;
  // tcpdump prints the peer's acknowledgements relative to this side's SYN, the RST's seq absolute.
  for (const a of peer.recentAcks) {
    if (p.seq === a || (side.isn !== undefined && p.seq === (side.isn + a) >>> 0)) return 'answers-segment';
  }
  return undefined;
}

export interface TrackerHooks {
  /** A run closed: its members' neighbours are known. */
  runClosed?: (run: ResetRun, members: readonly PendingReset[]) => void;
  /** The first data packet after an RST waiting on its side arrived. */
  laterData?: (r: PendingReset) => void;
}

/** Follows every conversation's packets; says when an RST's run closes and when its later data shows up. */
export class ConversationTracker {
  readonly conversations = new Map<string, Conversation>();
  private readonly runMembers = new Map<ResetRun, PendingReset[]>();
  /** Members kept per open run; live mode keeps only the newest. */
  memberLimit = Infinity;
  /** Live mode: Map order is recency order, so the first conversation is the longest idle. */
  recencyOrder = false;

  constructor(
    private readonly retainer: Retainer,
    private readonly initialTtls: readonly number[],
    private readonly hooks: TrackerHooks = {},
  ) {}

  /** Feeds one packet of conversation `key`; returns its pending state when it is an RST. */
  add(p: Packet, key: string, firstLine?: string): PendingReset | undefined {
    const keep = this.retainer;
    let c = this.conversations.get(key);
    if (!c) {
      const kept = keep.string(key);
      c = { key: kept, firstSrc: keep.string(p.src) };
      if (p.srcPort !== undefined) c.firstPort = keep.string(p.srcPort);
      if (keep.keepsPackets) {
        c.flow = {
          key: `${endpoint(p.src, p.srcPort)} <> ${endpoint(p.dst, p.dstPort)}`,
          a: p.src,
          aPort: p.srcPort!,
          b: p.dst,
          bPort: p.dstPort!,
          packets: [],
          ending: 'open',
        };
      }
      this.conversations.set(kept, c);
    } else if (this.recencyOrder) {
      this.conversations.delete(key);
      this.conversations.set(c.key, c);
    }
    // Which side sent it, by endpoint comparison (no key string per packet: this runs for every one).
    const fromA = p.src === c.firstSrc && p.srcPort === c.firstPort;
    let side = fromA ? c.sideA : c.sideB;
    const reset = isReset(p);
    if (opensNewConnection(p, side?.isn)) {
      // A new connection on the same four-tuple: start its state afresh.
      if (c.run && !c.run.closed) this.closeRun(c.run, { ref: keep.ref(p, firstLine, this.initialTtls), reset });
      c.sideA = c.sideB = undefined;
      c.last = undefined;
      c.run = undefined;
      side = undefined;
    }
    if (!side) {
      side = { data: 0, recentAcks: [], awaitingData: [] };
      if (fromA) c.sideA = side;
      else c.sideB = side;
    }
    const peer = fromA ? c.sideB : c.sideA;
    if (c.flow) {
      c.flow.packets.push(p.index);
      if (reset) c.flow.ending = 'reset';
      else if (c.flow.ending === 'open' && p.flags?.includes('F')) c.flow.ending = 'fin';
    }
    const time = packetTime(p);
    const idle = time && c.lastTime ? secondsBetween(c.lastTime, time) : undefined;
    if (time) c.lastTime = time;
    const ref = keep.ref(p, firstLine, this.initialTtls);
    const here: Neighbour = { ref, reset, srcPort: p.srcPort === undefined ? undefined : keep.string(p.srcPort) };
    let pending: PendingReset | undefined;
    if (reset) {
      let run = c.run;
      if (!run || run.closed || run.side !== side) {
        if (run && !run.closed) this.closeRun(run, here);
        run = { side, members: [], length: 0, before: c.last, closed: false };
        c.run = run;
        this.runMembers.set(run, []);
      }
      run.length++;
      if (run.members.length < RUN_MEMBER_LIMIT) {
        // Absolute numbers: tcpdump may print one RST's relative and the next one's absolute.
        run.members.push({
          ref,
          seq: p.seq === undefined ? undefined : absoluteSeq(p.seq, side.isn),
          ack: p.ack === undefined ? undefined : absoluteSeq(p.ack, peer?.isn),
          ttl: p.ttl,
        });
      }
      pending = {
        packet: keep.packet(p),
        ref,
        run,
        side,
        sendPoint: side.sendPoint,
        witness: side.witness,
        dataBefore: side.data,
      };
      if (p.seq !== undefined) pending.seq = absoluteSeq(p.seq, side.isn);
      const form = kernelFormOf(p, side, peer);
      if (form) pending.kernelForm = form;
      if (side.handshake && !side.pathAlternates) pending.handshake = side.handshake;
      if (form === 'refuses-syn' && p.ttl !== undefined) {
        const initial = inferInitialTtl(p.ttl, this.initialTtls);
        const hops = initial === undefined ? undefined : initial - p.ttl;
        if (hops !== undefined && (!side.hostRefusal || hops > side.hostRefusal.hops)) side.hostRefusal = { ref, hops };
      }
      pending.conversation = c.key;
      if (idle !== undefined && idle >= 0) pending.idleSeconds = idle;
      const members = this.runMembers.get(run)!;
      members.push(pending);
      if (members.length > this.memberLimit) members.shift();
    } else {
      if (c.run && !c.run.closed) this.closeRun(c.run, here);
      if (p.flags?.includes('S') && p.seq !== undefined) {
        side.isn = p.seq;
        side.synSeq = p.flags.includes('.') ? undefined : p.seq;
      }
      // The SYN-ACK only: a bare SYN may come from any program (raw sockets, traceroute-like probes
      // with chosen TTLs); the answer to it comes from the listening host's kernel.
      if (p.flags?.includes('S') && p.flags.includes('.') && p.ttl !== undefined) side.handshake ??= ref;
      else if (side.handshake && p.ttl !== undefined) {
        if (p.ttl !== side.handshake.ttl) side.leftHandshakeTtl = true;
        else if (side.leftHandshakeTtl) side.pathAlternates = true;
      }
      if (p.ack !== undefined) {
        side.recentAcks.push(p.ack);
        if (side.recentAcks.length > RECENT_ACKS) side.recentAcks.shift();
      }
      if ((p.payloadLength ?? 0) > 0) {
        side.data++;
        if (side.awaitingData.length > 0) {
          for (const r of side.awaitingData.splice(0)) {
            r.laterFirst = ref;
            this.hooks.laterData?.(r);
          }
        }
        if (p.seq !== undefined) {
          side.sendPoint = (absoluteSeq(p.seq, side.isn) + p.payloadLength!) >>> 0;
          side.witness = ref;
        }
      }
    }
    c.last = here;
    return pending;
  }

  /** Members of a run still open (live mode judges them before it closes). */
  membersOf(run: ResetRun): readonly PendingReset[] {
    return this.runMembers.get(run) ?? [];
  }

  private closeRun(run: ResetRun, after: Neighbour | undefined): void {
    if (run.closed) return;
    run.closed = true;
    run.after = after;
    const members = this.runMembers.get(run) ?? [];
    this.runMembers.delete(run);
    this.hooks.runClosed?.(run, members);
  }

  /** Ends a conversation: closes its run and forgets it. */
  drop(key: string): void {
    const c = this.conversations.get(key);
    if (!c) return;
    if (c.run) this.closeRun(c.run, undefined);
    this.conversations.delete(key);
  }

  /** End of input: every open run is closed (nothing follows it); the conversations stay. */
  closeAll(): void {
    for (const c of this.conversations.values()) if (c.run) this.closeRun(c.run, undefined);
  }
}
