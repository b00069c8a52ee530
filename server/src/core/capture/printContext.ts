import { ipv4Text, ipv6Text } from './address';

/*
 * What every IP-layer printer shares (tcpdump's netdissect.h/extract.h): the frame being printed,
 * bounds-checked reads that end the packet with ` [|proto]` as tcpdump's GET_* macros do, and
 * the layer count that keeps encapsulation from recursing without end.
 *
 * The printers (ip.ts, ip6.ts, ipDemux.ts, tcp.ts, udp.ts, icmp.ts, icmp6.ts) render tcpdump
 * 4.99's `-nv` wording, limited to what a reader of the text needs: IP header fields, addresses,
 * ports, TCP flags/seq/ack/win/options/length, UDP length, ICMP message text (with the quoted
 * header of ICMP errors). Application payloads are not decoded.
 */

/** Thrown when a read passes the captured bytes; the frame printer appends ` [|protocol]`. */
export class Truncation {
  constructor(readonly protocol: string) {}
}

/** TCP conversations seen so far: tcpdump prints seq/ack relative to the first ACK-bearing packet. */
export type TcpConversations = Map<string, { seq: number; ack: number }>;

export interface PrintContext {
  data: Uint8Array;
  /** Index past the last byte that may be read (captured bytes, cut to the IP length). */
  snapEnd: number;
  protocol: string;
  out: string;
  tcp: TcpConversations;
  /** Headers (IPv4, IPv6, Ethernet) entered so far in this frame; see MAX_LAYERS. */
  layers: number;
  /** Ethernet printer for tunnels that carry frames (VXLAN, OTV); set by the link layer. */
  printEthernet?: (c: PrintContext, at: number, length: number) => void;
}

/**
 * Encapsulated headers printed per frame; the next one ends the frame with ` [|proto]`, the mark
 * tcpdump ends a packet it stops printing with. The printers recurse once per header (IP-in-IP,
 * ICMP errors quoting packets, VXLAN), and a frame of thousands of them overflowed the stack:
 * the file was then called damaged. Real encapsulation is a handful deep; tunnels, the deepest
 * path per level (5 calls), overflowed Node's default stack near 800 levels.
 */
export const MAX_LAYERS = 100;

/** Counts one more header of the frame; past MAX_LAYERS the frame stops here, marked as tcpdump marks a cut. */
export function enterLayer(c: PrintContext, protocol: string): void {
  if (++c.layers > MAX_LAYERS) throw new Truncation(protocol);
}

export function u8(c: PrintContext, at: number): number {
  if (at + 1 > c.snapEnd || at < 0) throw new Truncation(c.protocol);
  return c.data[at];
}
export function u16(c: PrintContext, at: number): number {
  if (at + 2 > c.snapEnd || at < 0) throw new Truncation(c.protocol);
  return (c.data[at] << 8) | c.data[at + 1];
}
export function u32(c: PrintContext, at: number): number {
  if (at + 4 > c.snapEnd || at < 0) throw new Truncation(c.protocol);
  return ((c.data[at] << 24) | (c.data[at + 1] << 16) | (c.data[at + 2] << 8) | c.data[at + 3]) >>> 0;
}
export function has(c: PrintContext, at: number, n: number): boolean {
  return at >= 0 && at + n <= c.snapEnd;
}
export function v4(c: PrintContext, at: number): string {
  if (!has(c, at, 4)) throw new Truncation(c.protocol);
  return ipv4Text(c.data, at);
}
export function v6(c: PrintContext, at: number): string {
  if (!has(c, at, 16)) throw new Truncation(c.protocol);
  return ipv6Text(c.data, at);
}
export const hex = (n: number, width = 0): string => n.toString(16).padStart(width, '0');

// The enclosing IP header as TCP and UDP read it (tcpdump passes them the IP header too).

export function endpoints(c: PrintContext, ip: number, version: 4 | 6): [string, string] {
  return version === 4 ? [v4(c, ip + 12), v4(c, ip + 16)] : [v6(c, ip + 8), v6(c, ip + 24)];
}
/** The IP header's own next protocol (IPv6: the fixed header's, before extension headers). */
export function headerProto(c: PrintContext, ip: number, version: 4 | 6): number {
  return version === 4 ? u8(c, ip + 9) : u8(c, ip + 6);
}
