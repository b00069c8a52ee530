/** A span of characters on one line: 0-based line, [start, end) character offsets. */
export interface TokenRange {
  line: number;
  start: number;
  end: number;
}

/**
 * One IP packet as tcpdump printed it. Fields tcpdump did not print are absent, never guessed.
 * All line numbers are 0-based; `startLine..endLine` is inclusive and covers every line that
 * belongs to the packet's header and transport summary (continuation lines such as hex dumps or
 * decoded application data are not part of it).
 */
export interface Packet {
  /** 0-based ordinal of the packet in its document. */
  index: number;
  startLine: number;
  endLine: number;
  /** Character length of `endLine`, so a range can cover the whole packet. */
  endLineLength: number;
  /**
   * For an IP packet printed inside a non-IP frame (NSH, LLC ...): the line of that frame's head,
   * where its number and timestamp come from. The lines in between belong to the frame, not to it.
   */
  carrierLine?: number;
  /** The `-#` packet number tcpdump printed before the packet, when it did. */
  frameNumber?: number;
  /** The timestamp exactly as printed (any -t variant), when there was one. */
  timestamp?: string;
  /** The timestamp is a delta (-ttt, -ttttt, tcpdump 3.9's), not a time of day or epoch. */
  timeIsDelta?: boolean;
  family: 4 | 6;
  src: string;
  dst: string;
  srcPort?: string;
  dstPort?: string;
  /** Upper-case transport name: TCP, UDP, ICMP, ICMP6, GRE, ... */
  proto?: string;
  /** IPv4 TTL or IPv6 hop limit, as observed at the capture point. */
  ttl?: number;
  ttlRange?: TokenRange;
  ipId?: number;
  tos?: number;
  /** IPv4 "don't fragment" bit, when the header was printed. */
  df?: boolean;
  ipLength?: number;
  /** TCP flags in tcpdump 4.x letters and order ("S", "S.", "R", "R.", "FP." ...). */
  flags?: string;
  flagsRange?: TokenRange;
  seq?: number;
  ack?: number;
  win?: number;
  /** TCP/UDP payload length as printed ("length N" / "(N)"). */
  payloadLength?: number;
  /** ICMP/ICMPv6 message as printed ("echo reply", "port unreachable" ...). */
  icmpType?: string;
  srcMac?: string;
  dstMac?: string;
  /** tcpdump flagged the IP or transport checksum as bad/incorrect. */
  badChecksum?: boolean;
}

export interface ParsedCapture {
  packets: Packet[];
  lineCount: number;
  /** Whether the document's heads carry a `-#` number or timestamp (decided by its first head). */
  prefixedHeads?: boolean;
}

export const isReset = (p: Packet): boolean => p.flags !== undefined && p.flags.includes('R');
