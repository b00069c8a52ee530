import { ipv4Text, ipv6Text } from './address';

/*
 * IPv4/IPv6 and transport rendering in tcpdump 4.99's `-nv` wording (print-ip.c, print-ip6.c,
 * print-tcp.c, print-udp.c, print-icmp.c, print-icmp6.c), limited to what a reader of the text
 * needs: IP header fields, addresses, ports, TCP flags/seq/ack/win/options/length, UDP length,
 * ICMP message text (with the quoted header of ICMP errors). Application payloads are not
 * decoded. Like tcpdump, reading past the captured bytes ends the packet with ` [|proto]`.
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
function has(c: PrintContext, at: number, n: number): boolean {
  return at >= 0 && at + n <= c.snapEnd;
}
function v4(c: PrintContext, at: number): string {
  if (!has(c, at, 4)) throw new Truncation(c.protocol);
  return ipv4Text(c.data, at);
}
function v6(c: PrintContext, at: number): string {
  if (!has(c, at, 16)) throw new Truncation(c.protocol);
  return ipv6Text(c.data, at);
}
const hex = (n: number, width = 0): string => n.toString(16).padStart(width, '0');

/** Names from tcpdump's ipproto.c `ipproto_values`. */
const IP_PROTO_NAMES: Record<number, string> = {
  0: 'Options',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  8: 'EGP',
  9: 'IGRP',
  17: 'UDP',
  33: 'DCCP',
  41: 'IPv6',
  43: 'Routing',
  44: 'Fragment',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  55: 'Mobile IP',
  58: 'ICMPv6',
  62: 'Mobile IP (old)',
  88: 'EIGRP',
  89: 'OSPF',
  103: 'PIM',
  108: 'Compressed IP',
  112: 'VRRP',
  113: 'PGM',
  132: 'SCTP',
  135: 'Mobility',
  143: 'Ethernet',
};
const IP_OPTION_NAMES: Record<number, string> = {
  0: 'EOL',
  1: 'NOP',
  68: 'timestamp',
  130: 'security',
  7: 'RR',
  137: 'SSRR',
  131: 'LSRR',
  148: 'RA',
};

// --- Internet checksum (RFC 1071) over byte ranges of the frame ---

function sumRange(c: PrintContext, from: number, length: number, acc: number): number {
  const d = c.data;
  let i = from;
  const end = from + length;
  for (; i + 1 < end; i += 2) acc += (d[i] << 8) | d[i + 1];
  if (i < end) acc += d[i] << 8;
  return acc;
}
function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}
/** tcpdump's in_cksum_shouldbe: the checksum value that would have made the sum come out right. */
function checksumShouldBe(sum: number, computed: number): number {
  let s = ~sum & 0xffff;
  s += ~computed & 0xffff;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}
/** Checksum of a transport segment including its IPv4/IPv6 pseudo header (0 means correct). */
function transportChecksum(
  c: PrintContext,
  ip: number,
  version: 4 | 6,
  at: number,
  length: number,
  proto: number,
): number {
  let acc = length + proto;
  if (version === 4) acc = sumRange(c, ip + 12, 8, acc);
  else acc = sumRange(c, ip + 8, 32, acc);
  return fold(sumRange(c, at, length, acc));
}

// --- IPv4 ---

export function printIpv4(c: PrintContext, at: number, length: number): void {
  c.protocol = 'ip';
  enterLayer(c, c.protocol);
  const version = u8(c, at) >> 4;
  if (version !== 4) {
    c.out += version === 6 ? 'IP6, wrong link-layer encapsulation (invalid)' : `IP${version} (invalid)`;
    return;
  }
  c.out += 'IP ';
  if (!has(c, at, 20)) throw new Truncation(c.protocol);
  if (length < 20) {
    c.out += `truncated-ip ${length}`;
    return;
  }
  const hlen = (c.data[at] & 0x0f) * 4;
  if (hlen < 20) {
    c.out += `bad-hlen ${hlen}`;
    return;
  }
  let len = u16(c, at + 2);
  if (length < len) c.out += `truncated-ip - ${len - length} bytes missing! `;
  if (len < hlen) {
    c.out += `bad-len ${len}`;
    return;
  }

  const savedSnapEnd = c.snapEnd;
  c.snapEnd = Math.min(c.snapEnd, at + len);
  len -= hlen;
  const off = u16(c, at + 6);
  const proto = u8(c, at + 9);
  const tos = u8(c, at + 1);
  const ttl = u8(c, at + 8);

  c.out += `(tos 0x${hex(tos)}${['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3]}`;
  if (ttl >= 1) c.out += `, ttl ${ttl}`;
  const fragFlags = [off & 0x2000 ? '+' : '', off & 0x4000 ? 'DF' : '', off & 0x8000 ? 'rsvd' : '']
    .filter(Boolean)
    .join(', ');
  c.out += `, id ${u16(c, at + 4)}, offset ${(off & 0x1fff) * 8}, flags [${fragFlags || 'none'}]`;
  c.out += `, proto ${IP_PROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${u16(c, at + 2)}`;
  let optionsTruncated = false;
  if (hlen > 20) {
    c.out += ', options (';
    optionsTruncated = !printIpOptions(c, at + 20, hlen - 20);
    if (optionsTruncated) c.out += ' [truncated-option]';
    c.out += ')';
  }
  if (has(c, at, hlen)) {
    const sum = fold(sumRange(c, at, hlen, 0));
    if (sum !== 0) {
      const stored = u16(c, at + 10);
      c.out += `, bad cksum ${hex(stored)} (->${hex(checksumShouldBe(stored, sum))})!`;
    }
  }
  c.out += ')\n    ';

  const src = v4(c, at + 12);
  const dst = v4(c, at + 16);
  if (optionsTruncated) {
    c.out += `${src} > ${dst}: `;
    throw new Truncation(c.protocol);
  }
  if ((off & 0x1fff) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) c.out += `${src} > ${dst}: `;
    if (!has(c, at, hlen)) {
      c.out += ` [remaining caplen(${Math.max(0, c.snapEnd - at)}) < header length(${hlen})]`;
      throw new Truncation(c.protocol);
    }
    printIpPayload(c, at + hlen, len, 4, (off & 0x2000) !== 0, proto, at);
  } else {
    c.out += `${src} > ${dst}: ip-proto-${proto}`;
  }
  c.snapEnd = savedSnapEnd;
}

/** ip_optprint: false when the options ran past the captured bytes (tcpdump: `[truncated-option]`). */
function printIpOptions(c: PrintContext, at: number, length: number): boolean {
  let sep = '';
  while (length > 0) {
    c.out += sep;
    sep = ',';
    const code = u8(c, at);
    c.out += IP_OPTION_NAMES[code] ?? `unknown ${code}`;
    let optionLength = 1;
    if (code !== 0 && code !== 1) {
      optionLength = u8(c, at + 1);
      if (optionLength < 2) {
        c.out += ` [bad length ${optionLength}]`;
        return true;
      }
    }
    if (optionLength > length) {
      c.out += ` [bad length ${optionLength}]`;
      return true;
    }
    if (!has(c, at, optionLength)) return false;
    if (code === 0) return true;
    if (code === 68 && !printIpTimestampOption(c, at, optionLength)) return false;
    if ((code === 7 || code === 131 || code === 137) && !printIpRouteOption(c, at, optionLength)) return false;
    if (code === 148) {
      if (optionLength < 4) c.out += ` [bad length ${optionLength}]`;
      else if (u16(c, at + 2) !== 0) c.out += ` value ${u16(c, at + 2)}`;
    }
    at += optionLength;
    length -= optionLength;
  }
  return true;
}

/** Record route / source route options (tcpdump's ip_printroute). */
function printIpRouteOption(c: PrintContext, at: number, length: number): boolean {
  if (length < 3) {
    c.out += ` [bad length ${length}]`;
    return true;
  }
  if ((length + 1) & 3) c.out += ` [bad length ${length}]`;
  const ptr = u8(c, at + 2) - 1;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) c.out += ` [bad ptr ${u8(c, at + 2)}]`;
  for (let len = 3; len < length; len += 4) {
    if (!has(c, at + len, 4)) return false;
    c.out += ` ${ipv4Text(c.data, at + len)}`;
    if (ptr > len) c.out += ',';
  }
  return true;
}

/** Timestamp option (tcpdump's ip_printts). */
function printIpTimestampOption(c: PrintContext, at: number, length: number): boolean {
  if (length < 4) {
    c.out += `[bad length ${length}]`;
    return true;
  }
  c.out += ' TS{';
  const flag = u8(c, at + 3);
  const hopLength = (flag & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hopLength - 1)) c.out += `[bad length ${length}]`;
  const ptr = u8(c, at + 2) - 1;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hopLength - 1) || ptr > length + 1) c.out += `[bad ptr ${u8(c, at + 2)}]`;
  const kind = flag & 0xf;
  if (kind === 0 || kind === 1 || kind === 3) {
    c.out += kind === 0 ? 'TSONLY' : kind === 1 ? 'TS+ADDR' : 'PRESPEC';
    let type = ' ';
    for (len = 4; len < length; len += hopLength) {
      if (ptr === len) type = ' ^ ';
      if (!has(c, at + len, hopLength)) return false;
      c.out += `${type}${u32(c, at + len + hopLength - 4)}@${hopLength !== 8 ? '' : ipv4Text(c.data, at + len)}`;
      type = ' ';
    }
  } else {
    c.out += `[bad ts type ${kind}]`;
  }
  c.out += ptr === len ? ' ^ ' : '';
  c.out += flag >> 4 ? ` [${flag >> 4} hops not recorded]} ` : '}';
  return true;
}

// --- IPv6 ---

export function printIpv6(c: PrintContext, at: number, length: number): void {
  c.protocol = 'ip6';
  enterLayer(c, c.protocol);
  if (!has(c, at, 40)) throw new Truncation(c.protocol);
  if (length < 40) {
    c.out += `truncated-ip6 ${length}`;
    return;
  }
  c.out += 'IP6 ';
  const version = c.data[at] >> 4;
  if (version !== 6) {
    c.out += `version error: ${version} != 6`;
    return;
  }
  let payloadLength = u16(c, at + 4);
  let len: number;
  if (payloadLength !== 0) {
    len = payloadLength + 40;
    if (length < len) c.out += `truncated-ip6 - ${len - length} bytes missing!`;
  } else {
    len = length + 40;
  }
  let nh = u8(c, at + 6);
  const flow = u32(c, at);
  c.out += '(';
  if (flow & 0x0ff00000) c.out += `class 0x${hex((flow & 0x0ff00000) >>> 20, 2)}, `;
  if (flow & 0x000fffff) c.out += `flowlabel 0x${hex(flow & 0x000fffff, 5)}, `;
  c.out += `hlim ${u8(c, at + 7)}, next-header ${IP_PROTO_NAMES[nh] ?? 'unknown'} (${nh}) payload length: ${payloadLength}) `;

  const savedSnapEnd = c.snapEnd;
  c.snapEnd = Math.min(c.snapEnd, at + len);
  let cp = at;
  let advance = 40;
  let totalAdvance = 0;
  let fragmented = false;
  let foundExtension = false;
  let foundJumbo = false;
  let foundHopByHop = false;
  let previous = 255;
  while (cp < c.snapEnd && advance > 0) {
    if (len < advance) throw new Truncation(c.protocol);
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === at + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      c.out += `${v6(c, at + 8)} > ${v6(c, at + 24)}: `;
    }
    switch (nh) {
      case 0: {
        // hop-by-hop options: must come first, may carry a jumbo payload length
        if (foundHopByHop || previous !== 255) {
          c.out += foundHopByHop
            ? '[The Hop-by-Hop Options header was already found] (invalid)'
            : "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        c.out += 'HBH ';
        const r = printIpv6Options(c, cp, payloadLength);
        advance = r.advance;
        if (r.jumbo !== undefined) {
          foundJumbo = true;
          payloadLength = r.jumbo;
        }
        if (payloadLength === 0 && !foundJumbo) {
          c.out += '[No valid Jumbo Payload Hop-by-Hop option found] (invalid)';
          return;
        }
        foundExtension = true;
        foundHopByHop = true;
        nh = u8(c, cp);
        break;
      }
      case 60: // destination options
        c.out += 'DSTOPT ';
        advance = printIpv6Options(c, cp, -1).advance;
        foundExtension = true;
        nh = u8(c, cp);
        break;
      case 44: {
        // fragment: only the first fragment carries the upper-layer header
        const offsetField = u16(c, cp + 2);
        c.out += `frag (0x${hex(u32(c, cp + 4), 8)}:${offsetField & 0xfff8}|${40 + u16(c, at + 4) - (cp - at) - 8})`;
        if ((offsetField & 0xfff8) !== 0) {
          c.snapEnd = savedSnapEnd;
          return;
        }
        c.out += ' ';
        advance = 8;
        if (c.snapEnd <= cp + advance) {
          c.snapEnd = savedSnapEnd;
          return;
        }
        foundExtension = true;
        nh = u8(c, cp);
        fragmented = true;
        break;
      }
      case 43: {
        // routing
        const segLeft = u8(c, cp + 3);
        const type = u8(c, cp + 2);
        advance = (u8(c, cp + 1) + 1) * 8;
        c.out += `srcrt (len=${u8(c, cp + 1)}, type=${type}, segleft=${segLeft}`;
        if (type === 0 || type === 2) {
          for (let a = cp + 8; a + 16 <= cp + advance; a += 16) c.out += `, [${(a - cp - 8) / 16}]${v6(c, a)}`;
        }
        c.out += ') ';
        foundExtension = true;
        nh = u8(c, cp);
        break;
      }
      case 135:
      case 62: // mobility: tcpdump prints it and stops
        c.out += `mobility: type-#${u8(c, cp + 2)}`;
        c.snapEnd = savedSnapEnd;
        return;
      default: {
        if (foundJumbo) {
          len = payloadLength + 40;
          if (len < totalAdvance) throw new Truncation(c.protocol);
          if (length < len) c.out += `truncated-ip6 - ${len - length} bytes missing!`;
          c.snapEnd = Math.min(savedSnapEnd, at + len);
          len -= totalAdvance;
        } else if (payloadLength === 0) {
          if (foundExtension) throw new Truncation(c.protocol);
          len = 0;
          c.snapEnd = Math.min(savedSnapEnd, at + 40);
        }
        printIpPayload(c, cp, len, 6, fragmented, nh, at);
        c.snapEnd = savedSnapEnd;
        return;
      }
    }
    previous = nh;
    c.protocol = 'ip6';
  }
  c.snapEnd = savedSnapEnd;
}

/** Hop-by-hop / destination options (print-ip6opts.c); returns the header length. */
function printIpv6Options(c: PrintContext, at: number, payloadLength: number): { advance: number; jumbo?: number } {
  const advance = (u8(c, at + 1) + 1) * 8;
  if (!has(c, at, advance)) throw new Truncation(c.protocol);
  let jumbo: number | undefined;
  for (let i = at + 2; i < at + advance;) {
    const type = c.data[i];
    if (type === 0) {
      c.out += '(pad1)';
      i++;
      continue;
    }
    if (i + 2 > at + advance) {
      c.out += `(type ${type}: trunc)`;
      break;
    }
    const optLength = c.data[i + 1] + 2;
    if (type === 1) c.out += '(padn)';
    else if (type === 5)
      c.out += optLength === 4 ? `(rtalert: 0x${hex(u16(c, i + 2), 4)}) ` : `(rtalert: invalid len ${optLength - 2})`;
    else if (type === 0xc2 && optLength === 6) {
      const value = u32(c, i + 2);
      if (payloadLength === 0 && value >= 65536) jumbo = value;
      c.out +=
        payloadLength < 0
          ? `(jumbo: ${value} - not a hop-by-hop option) `
          : payloadLength !== 0
            ? `(jumbo: ${value} - payload len != 0) `
            : value < 65536
              ? `(jumbo: ${value} - < 65536) `
              : `(jumbo: ${value}) `;
    } else c.out += `(opt_type 0x${hex(type, 2)}: len=${optLength - 2})`;
    i += optLength;
  }
  c.out += ' ';
  return { advance, jumbo };
}

// --- upper layers ---

function printIpPayload(
  c: PrintContext,
  at: number,
  length: number,
  version: 4 | 6,
  fragmented: boolean,
  proto: number,
  ip: number,
): void {
  // AH headers in a loop, as tcpdump's ip_demux_print reads them: thousands fit in one frame.
  while (proto === 51) {
    c.protocol = 'ah';
    const next = u8(c, at);
    const ahLength = (u8(c, at + 1) + 2) * 4;
    c.out += `AH(spi=0x${hex(u32(c, at + 4), 8)},sumlen=${ahLength - 12},seq=0x${hex(u32(c, at + 8))}): `;
    at += ahLength;
    length -= ahLength;
    proto = next;
  }
  switch (proto) {
    case 6:
      printTcp(c, at, length, ip, version, fragmented);
      return;
    case 17:
      printUdp(c, at, length, ip, version, fragmented);
      return;
    case 1:
      if (version === 4) {
        printIcmp(c, at, length, fragmented);
        return;
      }
      break;
    case 58:
      if (version === 6) {
        printIcmp6(c, at, length, ip, fragmented);
        return;
      }
      break;
    case 4:
      printIpv4(c, at, length);
      return;
    case 41:
      printIpv6(c, at, length);
      return;
    case 50:
      c.protocol = 'esp';
      c.out += `ESP(spi=0x${hex(u32(c, at), 8)},seq=0x${hex(u32(c, at + 4))}), length ${length}`;
      return;
    case 132: {
      // SCTP prints its own addresses, with ports
      c.protocol = 'sctp';
      if (!has(c, at, 12)) throw new Truncation(c.protocol);
      if (length < 12) {
        c.out += `truncated-sctp - ${12 - length} bytes missing!`;
        return;
      }
      const [src, dst] = version === 4 ? [v4(c, ip + 12), v4(c, ip + 16)] : [v6(c, ip + 8), v6(c, ip + 24)];
      c.out += `${src}.${u16(c, at)} > ${dst}.${u16(c, at + 2)}: sctp`;
      return;
    }
    case 33: {
      // DCCP, likewise
      c.protocol = 'dccp';
      const [src, dst] = version === 4 ? [v4(c, ip + 12), v4(c, ip + 16)] : [v6(c, ip + 8), v6(c, ip + 24)];
      const sport = u16(c, at);
      const dport = u16(c, at + 2);
      c.out += `${src}.${sport} > ${dst}.${dport}: DCCP, length ${length}`;
      return;
    }
    case 47:
      c.out += `GREv${u8(c, at + 1) & 7}, length ${length}`;
      return;
    case 89:
      c.out += `OSPF, length ${length}`;
      return;
    case 2:
      c.out += `igmp, length ${length}`;
      return;
    case 103:
      c.out += `PIM, length ${length}`;
      return;
    case 112:
      c.out += `VRRP, length ${length}`;
      return;
    default:
      break;
  }
  c.out += ` ip-proto-${proto} ${length}`;
}

function endpoints(c: PrintContext, ip: number, version: 4 | 6): [string, string] {
  return version === 4 ? [v4(c, ip + 12), v4(c, ip + 16)] : [v6(c, ip + 8), v6(c, ip + 24)];
}
/** The IP header's own next protocol (IPv6: the fixed header's, before extension headers). */
function headerProto(c: PrintContext, ip: number, version: 4 | 6): number {
  return version === 4 ? u8(c, ip + 9) : u8(c, ip + 6);
}

const TCP_FLAG_LETTERS: [number, string][] = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];
const TCP_OPTION_NAMES: Record<number, string> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  11: 'cc',
  12: 'ccnew',
  13: '',
  19: 'md5',
  20: 'scps',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
  254: 'exp',
};

function printTcp(c: PrintContext, at: number, length: number, ip: number, version: 4 | 6, fragmented: boolean): void {
  c.protocol = 'tcp';
  const [src, dst] = endpoints(c, ip, version);
  if (!has(c, at + 2, 2)) {
    c.out += `${src} > ${dst}:`;
    throw new Truncation(c.protocol);
  }
  const sport = u16(c, at);
  const dport = u16(c, at + 2);
  c.out += headerProto(c, ip, version) === 6 ? `${src}.${sport} > ${dst}.${dport}: ` : `${sport} > ${dport}: `;
  if (!has(c, at, 20)) throw new Truncation(c.protocol);
  let hlen = (u8(c, at + 12) >> 4) * 4;
  if (hlen < 20) {
    c.out += ` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  let seq = u32(c, at + 4);
  let ack = u32(c, at + 8);
  const win = u16(c, at + 14);
  const urp = u16(c, at + 18);
  const flags = u8(c, at + 13);
  c.out += `Flags [${
    TCP_FLAG_LETTERS.filter(([bit]) => flags & bit)
      .map(([, l]) => l)
      .join('') || 'none'
  }]`;

  let thSeq = 0;
  let thAck = 0;
  let reversed = false;
  if (flags & 0x10) {
    // One entry per conversation, both directions, keyed in tcpdump's collating order.
    const addrLength = version === 4 ? 4 : 16;
    const srcAt = version === 4 ? ip + 12 : ip + 8;
    const dstAt = srcAt + addrLength;
    if (sport > dport) reversed = true;
    else if (sport === dport) {
      for (let i = 0; i < addrLength; i++) {
        const d = c.data[srcAt + i] - c.data[dstAt + i];
        if (d !== 0) {
          reversed = d > 0;
          break;
        }
      }
    }
    const bytesHex = (from: number): string =>
      Array.from(c.data.subarray(from, from + addrLength), (b) => hex(b, 2)).join('');
    const key = reversed
      ? `${version}|${bytesHex(dstAt)}|${bytesHex(srcAt)}|${dport}|${sport}`
      : `${version}|${bytesHex(srcAt)}|${bytesHex(dstAt)}|${sport}|${dport}`;
    let entry = c.tcp.get(key);
    if (!entry || flags & 0x02) {
      entry = reversed ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
      c.tcp.set(key, entry);
    } else if (reversed) {
      seq = (seq - entry.ack) >>> 0;
      ack = (ack - entry.seq) >>> 0;
    } else {
      seq = (seq - entry.seq) >>> 0;
      ack = (ack - entry.ack) >>> 0;
    }
    thSeq = entry.seq;
    thAck = entry.ack;
  }
  if (hlen > length) {
    c.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  if (!fragmented && has(c, at, length)) {
    const sum = transportChecksum(c, ip, version, at, length, 6);
    const stored = u16(c, at + 16);
    c.out += `, cksum 0x${hex(stored, 4)}`;
    c.out += sum !== 0 ? ` (incorrect -> 0x${hex(checksumShouldBe(stored, sum), 4)})` : ' (correct)';
  }
  const payload = length - hlen;
  if (payload > 0 || flags & 0x07) {
    c.out += `, seq ${seq}`;
    if (payload > 0) c.out += `:${(seq + payload) >>> 0}`;
  }
  if (flags & 0x10) c.out += `, ack ${ack}`;
  c.out += `, win ${win}`;
  if (flags & 0x20) c.out += `, urg ${urp}`;
  if (hlen > 20) {
    if (!printTcpOptions(c, at + 20, hlen - 20, reversed ? thSeq : thAck)) return;
  }
  c.out += `, length ${payload}`;
  hlen = (u8(c, at + 12) >> 4) * 4;
  if (payload > 0 && !has(c, at, hlen)) {
    c.out += ` [remaining caplen(${Math.max(0, c.snapEnd - at)}) < header length(${hlen})]`;
    throw new Truncation(c.protocol);
  }
}

/** Prints `, options [...]`; false when tcpdump gave up on a bad option (then nothing follows). */
function printTcpOptions(c: PrintContext, at: number, hlen: number, sackBase: number): boolean {
  c.out += ', options [';
  let separator = '';
  while (hlen > 0) {
    c.out += separator;
    const opt = u8(c, at++);
    let len = 1;
    if (opt !== 0 && opt !== 1) {
      len = u8(c, at++);
      if (len < 2 || len > hlen) return badOption();
      hlen--;
    }
    hlen--;
    let dataLength = 0;
    const need = (n: number): boolean => {
      if (n > hlen) return false;
      if (!has(c, at, n)) throw new Truncation(c.protocol);
      return true;
    };
    c.out += TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`;
    switch (opt) {
      case 2:
        dataLength = 2;
        if (!need(2)) return badOption();
        c.out += ` ${u16(c, at)}`;
        break;
      case 3:
        dataLength = 1;
        if (!need(1)) return badOption();
        c.out += ` ${u8(c, at)}`;
        break;
      case 5:
        dataLength = len - 2;
        if (dataLength % 8 !== 0) c.out += ' invalid sack';
        else {
          c.out += ` ${dataLength / 8} `;
          for (let i = 0; i < dataLength; i += 8) {
            if (!need(i + 8)) return badOption();
            c.out += `{${(u32(c, at + i) - sackBase) >>> 0}:${(u32(c, at + i + 4) - sackBase) >>> 0}}`;
          }
        }
        break;
      case 8:
        dataLength = 8;
        if (!need(8)) return badOption();
        c.out += ` val ${u32(c, at)} ecr ${u32(c, at + 4)}`;
        break;
      case 0:
      case 1:
      case 4:
        break;
      default:
        dataLength = len - 2;
        if (dataLength) c.out += ' 0x';
        for (let i = 0; i < dataLength; i++) {
          if (!need(i + 1)) return badOption();
          c.out += hex(u8(c, at + i), 2);
        }
        break;
    }
    at += dataLength;
    hlen -= dataLength;
    const counted = dataLength + (opt === 0 || opt === 1 ? 1 : 2);
    if (counted !== len) c.out += `[len ${len}]`;
    separator = ',';
    if (opt === 0) break;
  }
  c.out += ']';
  return true;

  function badOption(): false {
    c.out += '[bad opt]]';
    return false;
  }
}

function printUdp(c: PrintContext, at: number, length: number, ip: number, version: 4 | 6, fragmented: boolean): void {
  c.protocol = 'udp';
  const ownAddresses = headerProto(c, ip, version) === 17;
  const [src, dst] = endpoints(c, ip, version);
  const addresses = (sport?: number, dport?: number): string =>
    ownAddresses
      ? sport === undefined
        ? `${src} > ${dst}: `
        : `${src}.${sport} > ${dst}.${dport}: `
      : sport === undefined
        ? ''
        : `${sport} > ${dport}: `;
  if (!has(c, at + 2, 2)) {
    c.out += addresses();
    throw new Truncation(c.protocol);
  }
  const sport = u16(c, at);
  const dport = u16(c, at + 2);
  if (length < 8) {
    c.out += `${addresses(sport, dport)}truncated-udp ${length}`;
    return;
  }
  if (!has(c, at + 4, 2)) {
    c.out += addresses(sport, dport);
    throw new Truncation(c.protocol);
  }
  let udpLength = u16(c, at + 4);
  if (udpLength === 0 && length > 65535) udpLength = length;
  if (udpLength < 8) {
    c.out += `${addresses(sport, dport)}truncated-udplength ${udpLength}`;
    return;
  }
  udpLength -= 8;
  length -= 8;
  if (udpLength < length) length = udpLength;
  if (at + 8 > c.snapEnd) {
    c.out += addresses(sport, dport);
    throw new Truncation(c.protocol);
  }
  c.out += addresses(sport, dport);
  if (!fragmented && version === 6 && has(c, at + 8, length)) {
    const sum = transportChecksum(c, ip, 6, at, length + 8, 17);
    const stored = u16(c, at + 6);
    c.out +=
      sum !== 0
        ? `[bad udp cksum 0x${hex(stored, 4)} -> 0x${hex(checksumShouldBe(stored, sum), 4)}!] `
        : '[udp sum ok] ';
  }
  // VXLAN and OTV carry whole Ethernet frames, which tcpdump prints from column 0.
  const tunnel = sport === 4789 || dport === 4789 ? 'VXLAN' : sport === 8472 || dport === 8472 ? 'OTV' : undefined;
  if (tunnel && c.printEthernet) {
    c.protocol = tunnel.toLowerCase();
    if (length < 8) throw new Truncation(c.protocol);
    const flags = u8(c, at + 8);
    if (tunnel === 'VXLAN')
      c.out += `VXLAN, flags [${flags & 0x08 ? 'I' : '.'}] (0x${hex(flags, 2)}), vni ${u32(c, at + 12) >>> 8}\n`;
    else
      c.out += `OTV, flags [${flags & 0x08 ? 'I' : '.'}] (0x${hex(flags, 2)}), overlay ${u32(c, at + 12) >>> 8}, instance ${u8(c, at + 15)}\n`;
    c.printEthernet(c, at + 16, length - 8);
    return;
  }
  c.out += `UDP, length ${length}`;
}

const ICMP_UNREACH_TEXT: Record<number, (dst: string) => string> = {
  0: (d) => `net ${d} unreachable`,
  1: (d) => `host ${d} unreachable`,
  5: (d) => `${d} unreachable - source route failed`,
  6: (d) => `net ${d} unreachable - unknown`,
  7: (d) => `host ${d} unreachable - unknown`,
  8: (d) => `${d} unreachable - source host isolated`,
  9: (d) => `net ${d} unreachable - admin prohibited`,
  10: (d) => `host ${d} unreachable - admin prohibited`,
  11: (d) => `net ${d} unreachable - tos prohibited`,
  12: (d) => `host ${d} unreachable - tos prohibited`,
  13: (d) => `host ${d} unreachable - admin prohibited filter`,
  14: (d) => `host ${d} unreachable - host precedence violation`,
  15: (d) => `host ${d} unreachable - precedence cutoff`,
};
const ICMP_TYPE_TEXT: Record<number, string> = {
  0: 'echo reply',
  4: 'source quench',
  8: 'echo request',
  10: 'router solicitation',
  13: 'time stamp request',
  14: 'time stamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
};

function printIcmp(c: PrintContext, at: number, length: number, fragmented: boolean): void {
  c.protocol = 'icmp';
  const type = u8(c, at);
  const code = u8(c, at + 1);
  const inner = at + 8; // quoted IP header of error messages
  let text: string;
  switch (type) {
    case 0:
    case 8:
      text = `echo ${type === 8 ? 'request' : 'reply'}, id ${u16(c, at + 4)}, seq ${u16(c, at + 6)}`;
      break;
    case 3: {
      if (code === 2) text = `${v4(c, inner + 16)} protocol ${u8(c, inner + 9)} unreachable`;
      else if (code === 3) {
        const innerProto = u8(c, inner + 9);
        const port = u16(c, inner + (u8(c, inner) & 0x0f) * 4 + 2);
        const to = v4(c, inner + 16);
        text =
          innerProto === 6
            ? `${to} tcp port ${port} unreachable`
            : innerProto === 17
              ? `${to} udp port ${port} unreachable`
              : `${to} protocol ${innerProto} port ${port} unreachable`;
      } else if (code === 4) {
        const mtu = u16(c, at + 6);
        text = mtu
          ? `${v4(c, inner + 16)} unreachable - need to frag (mtu ${mtu})`
          : `${v4(c, inner + 16)} unreachable - need to frag`;
      } else {
        const wording = ICMP_UNREACH_TEXT[code];
        text = wording ? wording(v4(c, inner + 16)) : `${v4(c, inner + 16)} unreachable - #${code}`;
      }
      break;
    }
    case 5: {
      const gateway = v4(c, at + 4);
      const to = v4(c, inner + 16);
      text =
        code === 0
          ? `redirect ${to} to net ${gateway}`
          : code === 1
            ? `redirect ${to} to host ${gateway}`
            : code === 2
              ? `redirect-tos ${to} to net ${gateway}`
              : code === 3
                ? `redirect-tos ${to} to host ${gateway}`
                : `redirect-#${code} ${to} to ${gateway}`;
      break;
    }
    case 9:
      text = 'router advertisement';
      break;
    case 11:
      text =
        code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      text = code ? `parameter problem - code ${code}` : `parameter problem - octet ${u8(c, at + 4)}`;
      break;
    case 18:
      text = `address mask is 0x${hex(u32(c, at + 8), 8)}`;
      break;
    default:
      text = ICMP_TYPE_TEXT[type] ?? `type-#${type}`;
  }
  c.out += `ICMP ${text}, length ${length}`;
  if (!fragmented && has(c, at, length)) {
    const sum = fold(sumRange(c, at, length, 0));
    if (sum !== 0) {
      const stored = u16(c, at + 2);
      c.out += ` (wrong icmp cksum ${hex(stored)} (->${hex(checksumShouldBe(stored, sum))})!)`;
    }
  }
  if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) {
    // tcpdump -v quotes the offending datagram's header on the next lines.
    c.out += '\n\t';
    const savedSnapEnd = c.snapEnd;
    const innerLength = u16(c, inner + 2);
    c.snapEnd = Math.min(inner + innerLength, c.snapEnd);
    printIpv4(c, inner, innerLength);
    c.snapEnd = savedSnapEnd;
  }
}

const ICMP6_TYPE_TEXT: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded in-transit',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  138: 'router renumbering',
  141: 'inverse neighbor solicitation',
  142: 'inverse neighbor advertisement',
  143: 'multicast listener report v2',
  144: 'ha discovery request',
  145: 'ha discovery reply',
  146: 'mobile router solicitation',
  147: 'mobile router advertisement',
  139: 'node information query',
  140: 'node information reply',
  200: 'mtrace message',
  201: 'mtrace response',
  155: 'RPL',
};
const ICMP6_UNREACH_TEXT: Record<number, string> = {
  0: 'unreachable route',
  1: ' unreachable prohibited',
  2: 'beyond scope',
  3: 'unreachable address',
  4: 'unreachable port',
};

function printIcmp6(c: PrintContext, at: number, length: number, ip: number, fragmented: boolean): void {
  c.protocol = 'icmp6';
  if (length === 0) {
    c.out += 'ICMP6, length 0 (invalid)';
    return;
  }
  if (!fragmented && has(c, at, length)) {
    const sum = transportChecksum(c, ip, 6, at, length, 58);
    const stored = u16(c, at + 2);
    c.out +=
      sum !== 0
        ? `[bad icmp6 cksum 0x${hex(stored, 4)} -> 0x${hex(checksumShouldBe(stored, sum), 4)}!] `
        : '[icmp6 sum ok] ';
  }
  const type = u8(c, at);
  c.out += `ICMP6, ${ICMP6_TYPE_TEXT[type] ?? `unknown icmp6 type (${type})`}`;
  if ([133, 134, 135, 136, 137, 145, 147].includes(type)) c.out += `, length ${length}`;
  const code = u8(c, at + 1);
  const inner = at + 8;
  switch (type) {
    case 1:
      c.out += `, ${ICMP6_UNREACH_TEXT[code] ?? `unknown unreach code (${code})`}`;
      if (code === 0 || code === 1 || code === 3) c.out += ` ${v6(c, inner + 24)}`;
      else if (code === 2) c.out += ` ${v6(c, inner + 24)}, source address ${v6(c, inner + 8)}`;
      else if (code === 4) {
        const upper = innerUpperLayer(c, inner);
        if (!upper) throw new Truncation(c.protocol);
        const port = u16(c, upper.at + 2);
        const to = v6(c, inner + 24);
        c.out +=
          upper.proto === 6
            ? `, ${to} tcp port ${port}`
            : upper.proto === 17
              ? `, ${to} udp port ${port}`
              : `, ${to} protocol ${upper.proto} port ${port} unreachable`;
      }
      break;
    case 2:
      c.out += `, mtu ${u32(c, at + 4)}`;
      break;
    case 3:
      c.out += code === 0 ? ` for ${v6(c, inner + 24)}` : code === 1 ? ' (reassembly)' : `, unknown code (${code})`;
      break;
    case 128:
    case 129:
      c.out += `, id ${u16(c, at + 4)}, seq ${u16(c, at + 6)}`;
      break;
    case 133:
      printNdOptions(c, at + 8, length - 8);
      break;
    case 134: {
      const flags = u8(c, at + 5);
      const names = (
        [
          [0x40, 'other stateful'],
          [0x80, 'managed'],
          [0x20, 'home agent'],
          [0x02, 'ipv6 only'],
        ] as const
      )
        .filter(([bit]) => flags & bit)
        .map(([, n]) => n);
      c.out += `\n\thop limit ${u8(c, at + 4)}, Flags [${names.join(', ') || 'none'}], pref ${ROUTER_PREFERENCE[(flags & 0x18) >> 3]}, router lifetime ${u16(c, at + 6)}s, reachable time ${u32(c, at + 8)}ms, retrans timer ${u32(c, at + 12)}ms`;
      printNdOptions(c, at + 16, length - 16);
      break;
    }
    case 135:
      c.out += `, who has ${v6(c, at + 8)}`;
      printNdOptions(c, at + 24, length - 24);
      break;
    case 136: {
      c.out += `, tgt is ${v6(c, at + 8)}`;
      const flags = u32(c, at + 4);
      const names = (
        [
          [0x80000000, 'router'],
          [0x40000000, 'solicited'],
          [0x20000000, 'override'],
        ] as const
      )
        .filter(([bit]) => (flags & bit) !== 0)
        .map(([, n]) => n);
      c.out += `, Flags [${names.join(', ') || 'none'}]`;
      printNdOptions(c, at + 24, length - 24);
      break;
    }
    case 130:
      // MLDv1 queries are 24 bytes; v2 ones at least 28 (print-icmp6.c).
      if (length === 24) c.out += `max resp delay: ${u16(c, at + 4)} addr: ${v6(c, at + 8)}`;
      else if (length >= 28) {
        c.out += ' v2';
        printMldv2Query(c, at, length);
      } else c.out += ` unknown-version (len ${length}) `;
      break;
    case 131:
    case 132:
      c.out += `max resp delay: ${u16(c, at + 4)} addr: ${v6(c, at + 8)}`;
      break;
    case 143:
      printMldv2Report(c, at, length);
      break;
    default:
      break;
  }
}

const MLDV2_RECORD_TYPES: Record<number, string> = {
  1: 'is_in',
  2: 'is_ex',
  3: 'to_in',
  4: 'to_ex',
  5: 'allow',
  6: 'block',
};

const ROUTER_PREFERENCE = ['medium', 'high', 'rsv', 'low'];
const ND_OPTION_NAMES: Record<number, string> = {
  1: 'source link-address',
  2: 'destination link-address',
  3: 'prefix info',
  4: 'redirected header',
  5: 'mtu',
  7: 'advertisement interval',
  8: 'homeagent information',
  24: 'route info',
  25: 'rdnss',
  31: 'dnssl',
};
const lifetime = (v: number): string => (v === 0xffffffff ? 'infinity' : `${v}s`);

/**
 * Neighbour-discovery options at -v (print-icmp6.c icmp6_opt_print), one continuation line each.
 * Options we do not spell out end the list where tcpdump would start a hex dump of them.
 */
function printNdOptions(c: PrintContext, at: number, resid: number): void {
  while (at < c.snapEnd) {
    if (!has(c, at, 2)) throw new Truncation(c.protocol);
    if (resid <= 0) return;
    const type = u8(c, at);
    const units = u8(c, at + 1);
    if (units === 0 || at + units * 8 > c.snapEnd) throw new Truncation(c.protocol);
    c.out += `\n\t  ${ND_OPTION_NAMES[type] ?? 'unknown'} option (${type}), length ${units * 8} (${units}): `;
    switch (type) {
      case 1:
      case 2:
        c.out += Array.from(c.data.subarray(at + 2, at + units * 8), (b) => hex(b, 2)).join(':');
        break;
      case 3: {
        const flags = u8(c, at + 3);
        const names = (
          [
            [0x80, 'onlink'],
            [0x40, 'auto'],
            [0x20, 'router'],
          ] as const
        )
          .filter(([bit]) => flags & bit)
          .map(([, n]) => n);
        c.out += `${v6(c, at + 16)}/${u8(c, at + 2)}${units !== 4 ? 'badlen' : ''}, Flags [${names.join(', ') || 'none'}], valid time ${lifetime(u32(c, at + 4))}, pref. time ${lifetime(u32(c, at + 8))}`;
        break;
      }
      case 5:
        c.out += ` ${u32(c, at + 4)}${units !== 1 ? 'bad option length' : ''}`;
        break;
      case 7:
        c.out += ` ${u32(c, at + 4)}ms`;
        break;
      case 25: {
        c.out += ` lifetime ${u32(c, at + 4)}s,`;
        for (let i = 0; i < Math.floor((units - 1) / 2); i++) c.out += ` addr: ${v6(c, at + 8 + i * 16)}`;
        break;
      }
      default:
        return;
    }
    at += units * 8;
    resid -= units * 8;
  }
}

/** MLDv2 query at -v (print-icmp6.c mldv2_query_print); exponent-coded delays decoded as RFC 3810 says. */
function printMldv2Query(c: PrintContext, at: number, length: number): void {
  const mrc = u16(c, at + 4);
  const delay = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) * 2 ** (((mrc & 0x7000) >> 12) + 3);
  c.out += ` [max resp delay=${delay}] [gaddr ${v6(c, at + 8)}`;
  const flags = u8(c, at + 24);
  if (flags & 0x08) c.out += ' sflag';
  if (flags & 0x07) c.out += ` robustness=${flags & 0x07}`;
  const qqic = u8(c, at + 25);
  c.out += ` qqi=${qqic < 128 ? qqic : ((qqic & 0x0f) | 0x10) << (((qqic & 0x70) >> 4) + 3)}`;
  const sources = u16(c, at + 26);
  if (sources > 0) c.out += length < 28 + sources * 16 ? ' [invalid number of sources]' : `, ${sources} source(s)`;
  c.out += ']';
}

/** MLDv2 report group records at -v (print-icmp6.c mldv2_report_print): without them the line ends early. */
function printMldv2Report(c: PrintContext, at: number, length: number): void {
  if (length < 8) {
    c.out += ` [invalid len ${length}]`;
    return;
  }
  const groups = u16(c, at + 6);
  c.out += `, ${groups} group record(s)`;
  let group = 8;
  for (let i = 0; i < groups; i++) {
    if (length < group + 20) {
      c.out += ' [invalid number of groups]';
      return;
    }
    c.out += ` [gaddr ${v6(c, at + group + 4)}`;
    const recordType = u8(c, at + group);
    c.out += ` ${MLDV2_RECORD_TYPES[recordType] ?? ` [v2-report-#${recordType}]`}`;
    const sources = u16(c, at + group + 2);
    if (length < group + 20 + sources * 16) {
      c.out += ` [invalid number of sources ${sources}]`;
      return;
    }
    c.out += `, ${sources} source(s)]`;
    group += 20 + sources * 16;
  }
}

/** The transport header inside an ICMPv6 error's quoted packet (tcpdump's get_upperlayer). */
function innerUpperLayer(c: PrintContext, ip6: number): { at: number; proto: number } | undefined {
  let nh = u8(c, ip6 + 6);
  let at = ip6 + 40;
  for (let hops = 0; hops < 8; hops++) {
    if (nh === 6 || nh === 17) return has(c, at, 4) ? { at, proto: nh } : undefined;
    if (nh === 0 || nh === 60 || nh === 43) {
      nh = u8(c, at);
      at += (u8(c, at + 1) + 1) * 8;
      continue;
    }
    if (nh === 44) {
      if (u16(c, at + 2) & 0xfff8) return undefined;
      nh = u8(c, at);
      at += 8;
      continue;
    }
    if (nh === 51) {
      nh = u8(c, at);
      at += (u8(c, at + 1) + 2) * 4;
      continue;
    }
    return undefined;
  }
  return undefined;
}
