import type { Packet, TokenRange } from './packet';
import { inferInitialTtl } from './ttl';

/**
 * What the per-source and per-conversation state keeps of a packet it may name later (as a
 * baseline packet, a witness, a burst member): enough to point a finding at it. A Packet is one.
 */
export interface PacketRef {
  index: number;
  startLine: number;
  src: string;
  ttl?: number;
  ttlRange?: TokenRange;
  /** Length of its first line, when the packets are not kept (a related location spans it). */
  firstLineLength?: number;
  /** The first 120 characters of its first line, when its TTL gives no hop count (the related message quotes it). */
  firstLineHead?: string;
}

/**
 * How the state holds on to what it keeps. A whole-text analysis keeps every packet and its text,
 * so the state may point into them; a streamed one drops each chunk of text after reading it, so
 * whatever outlives a chunk must be copied out of it.
 */
export interface Retainer {
  /** True when the packets are kept: a ref is the packet itself, and lines move with it. */
  readonly keepsPackets: boolean;
  ref(p: Packet, firstLine: string | undefined, initialTtls: readonly number[]): PacketRef;
  packet(p: Packet): Packet;
  string(s: string): string;
}

/** The whole text and its packets are kept: nothing to copy. */
export const KEEP_PACKETS: Retainer = {
  keepsPackets: true,
  ref: (p) => p,
  packet: (p) => p,
  string: (s) => s,
};

/**
 * A copy of `s` that does not keep the text it was cut from alive. V8 represents slices and
 * concatenations as views into their source: a 14-character address kept as a map key would keep
 * its whole 1 MB read chunk in memory. Concatenating flattens into a fresh string; shorter strings
 * than V8's 13-character view threshold are copies already.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** The text is read in chunks and dropped: keep copies. */
export const COPY_OUT: Retainer = {
  keepsPackets: false,
  ref(p, firstLine = '', initialTtls) {
    const ref: PacketRef = {
      index: p.index,
      startLine: p.startLine,
      src: detach(p.src),
      firstLineLength: firstLine.length,
    };
    if (p.ttl !== undefined) ref.ttl = p.ttl;
    if (p.ttlRange) ref.ttlRange = p.ttlRange;
    if (p.ttl === undefined || inferInitialTtl(p.ttl, initialTtls) === undefined)
      ref.firstLineHead = detach(firstLine.slice(0, 120));
    return ref;
  },
  packet(p) {
    const copy: Packet = { ...p, src: detach(p.src), dst: detach(p.dst) };
    if (p.timestamp !== undefined) copy.timestamp = detach(p.timestamp);
    if (p.srcMac !== undefined) copy.srcMac = detach(p.srcMac);
    if (p.dstMac !== undefined) copy.dstMac = detach(p.dstMac);
    if (p.icmpType !== undefined) copy.icmpType = detach(p.icmpType);
    if (p.srcPort !== undefined) copy.srcPort = detach(p.srcPort);
    if (p.dstPort !== undefined) copy.dstPort = detach(p.dstPort);
    return copy;
  },
  string: detach,
};
