import type { Packet, ParsedCapture, TokenRange } from './packet';

/*
 * tcpdump text → Packet records, one pass over the lines.
 *
 * A packet starts on a "head" line: column 0 (or after a `-#` packet number), optional
 * timestamp, optional `-i any` interface and direction, optional `-e` link layer, then `IP`/`IP6`
 * (or, with `-e`, the IP header right after the ethertype). tcpdump 4.x `-v` ends the head line
 * with the IP header's closing `)` and prints the transport summary on the next, indented line;
 * tcpdump 3.9 prints both on one line. Lines that start with white space are never heads, so
 * quoted headers inside ICMP errors, hex dumps and decoded payloads cannot become packets.
 */

const PROTO_BY_NUMBER: Record<number, string> = {
  1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPV6', 47: 'GRE', 50: 'ESP', 51: 'AH',
  58: 'ICMP6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP', 33: 'DCCP',
};
const PORT_PROTOS = new Set(['TCP', 'UDP', 'SCTP', 'DCCP']);
/** tcpdump 4.x prints TCP flags in this order (print-tcp.c's tcp_flag_values). */
const FLAG_ORDER = 'FSRP.UEWe';

// Prefix of a head line: `-#` number, timestamp (-tt, -ttt, -tttt, -ttttt, --nano), `-i any` interface.
const PACKET_NUMBER = /^ *\d+ {2}/y;
const TIMESTAMP = /(?:\d{4}-\d\d-\d\d )?\d{1,2}:\d\d:\d\d(?:\.\d+)? +|\d+\.\d+ +/y;
const ANY_INTERFACE = /[\w.:@-]+ +(?:In|Out|B|M|P|O|U|\?) +(?:ifindex \d+ +)?/y;
const MAC_HEAD = /([0-9a-f]{2}(?::[0-9a-f]{2}){5}) > ([0-9a-f]{2}(?::[0-9a-f]{2}){5}|Broadcast)?,? ?/y;
const ETHERTYPE_IP = /ethertype IPv(4|6) \(0x[0-9a-f]{4}\), (?:length \d+: )?/g;
const IP_KEYWORD = /IP(6)? /y;

const HEADER_TTL = /\b(?:ttl|hlim) +(\d+)/;
const HEADER_ID = /\bid (\d+)/;
const HEADER_TOS = /\b(?:tos|class) (0x[0-9a-f]+)/;
const HEADER_FLAGS = /\bflags \[([^\]]*)\]/;
const HEADER_PROTO = /\b(?:proto|next-header):? (\S+) \((\d+)\)/;
const HEADER_LENGTH = /\blength:? (\d+)/;

const ADDRESSES = /^(\S+) > (\S+?):(?: |$)/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const IPV4_PORT = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\.([\w-]+)$/;

const TCP_FLAGS_4X = /^Flags \[([^\]]*)\]/;
const TCP_FLAGS_39 = /^([SFRPWEU]+|\.)(?=[ ,]|$)/;
const SEQ_4X = /\bseq (\d+)(?::\d+)?/;
const SEQ_39 = /(?:^|[ ,])(\d+):\d+\((\d+)\)/;
const ACK = /\back (\d+)/;
const WIN = /\bwin (\d+)/;
const TCP_LENGTH = /\blength (\d+)/;
const ICMP_TYPE = /^ICMP6?,? ([^,]+)/;

interface HeadMatch {
  /** Where the IP part (`IP ...`, `(tos ...`, or addresses) starts. */
  at: number;
  family?: 4 | 6;
  srcMac?: string;
  dstMac?: string;
  /** The head names a non-IP packet (ARP, STP ...): it ends the previous packet, makes none. */
  nonIp: boolean;
}

function stickyMatch(re: RegExp, line: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(line);
}

function matchHead(line: string): HeadMatch | null {
  if (line.length === 0) return null;
  let at = 0;
  let prefixed = false;
  const c0 = line.charCodeAt(0);
  if (c0 === 32 /* space */) {
    // Only a `-#` packet number may indent a head line.
    const m = stickyMatch(PACKET_NUMBER, line, 0);
    if (!m) return null;
    at = m[0].length;
    prefixed = true;
  } else if (c0 === 9 /* tab */) {
    return null;
  } else {
    const m = stickyMatch(PACKET_NUMBER, line, 0);
    if (m) { at = m[0].length; prefixed = true; }
  }
  let m = stickyMatch(TIMESTAMP, line, at);
  if (m) { at += m[0].length; prefixed = true; }
  m = stickyMatch(ANY_INTERFACE, line, at);
  if (m && prefixed) at += m[0].length;

  const ip = stickyMatch(IP_KEYWORD, line, at);
  if (ip) return { at: at + ip[0].length, family: ip[1] ? 6 : 4, nonIp: false };

  const mac = stickyMatch(MAC_HEAD, line, at);
  if (mac) {
    // -e: the last "ethertype IPv4/IPv6" (after any VLAN tags) introduces the IP part.
    ETHERTYPE_IP.lastIndex = at;
    let last: RegExpExecArray | null = null;
    let e: RegExpExecArray | null;
    while ((e = ETHERTYPE_IP.exec(line)) !== null) last = e;
    if (!last) return { at, nonIp: true };
    let ipAt = last.index + last[0].length;
    const kw = stickyMatch(IP_KEYWORD, line, ipAt);
    if (kw) ipAt += kw[0].length;
    return { at: ipAt, family: last[1] === '6' ? 6 : 4, srcMac: mac[1], dstMac: mac[2], nonIp: false };
  }
  // A timestamped line that is not IP (ARP, STP, LLDP ...) still starts a new, non-IP packet.
  return prefixed ? { at, nonIp: true } : null;
}

/** Index just past the `)` that closes the `(` at `open`, or -1. */
function closingParen(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i + 1;
  }
  return -1;
}

function uint(text: string, max: number): number | undefined {
  if (text.length > 10) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

function canonicalFlags(letters: string, hasAck: boolean): string {
  let out = '';
  for (const f of FLAG_ORDER) {
    if (f === '.' ? hasAck || letters.includes('.') : letters.includes(f)) out += f;
  }
  return out;
}

function parseIpHeader(p: Packet, line: string, lineNo: number, from: number, to: number): void {
  const h = line.slice(from, to);
  let m = HEADER_TTL.exec(h);
  if (m) {
    const ttl = uint(m[1], 255);
    if (ttl !== undefined) {
      p.ttl = ttl;
      const start = from + m.index + m[0].length - m[1].length;
      p.ttlRange = { line: lineNo, start, end: start + m[1].length };
    }
  }
  if ((m = HEADER_ID.exec(h))) p.ipId = uint(m[1], 0xffffffff);
  if ((m = HEADER_TOS.exec(h))) p.tos = parseInt(m[1], 16);
  if ((m = HEADER_FLAGS.exec(h))) p.df = m[1].includes('DF');
  if ((m = HEADER_PROTO.exec(h))) p.proto = PROTO_BY_NUMBER[Number(m[2])] ?? m[1].toUpperCase();
  if ((m = HEADER_LENGTH.exec(h))) p.ipLength = uint(m[1], 0xffffffff);
  if (h.includes('bad cksum')) p.badChecksum = true;
}

function splitEndpoint(text: string, portBearing: boolean): [string, string | undefined] {
  if (IPV4.test(text)) return [text, undefined];
  const v4 = IPV4_PORT.exec(text);
  if (v4) return [v4[1], v4[2]];
  if (!portBearing) return [text, undefined];
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return [text, undefined];
  const before = text.slice(0, dot);
  // IPv6 addresses hold no dots except an embedded IPv4 tail (::ffff:1.2.3.4).
  if (before.includes(':') && before.lastIndexOf(':') < before.lastIndexOf('.') && !IPV4.test(before.slice(before.lastIndexOf(':') + 1))) {
    return [text, undefined];
  }
  return [before, text.slice(dot + 1)];
}

/** Parses `src > dst: rest` starting at `from`; returns false when the text is no such summary. */
function parseTransport(p: Packet, line: string, lineNo: number, from: number): boolean {
  const text = from === 0 ? line : line.slice(from);
  const m = ADDRESSES.exec(text);
  if (!m) return false;
  const restAt = from + m[0].length;
  const rest = line.slice(restAt);
  const flags4 = TCP_FLAGS_4X.exec(rest);
  const flags39 = flags4 ? null : TCP_FLAGS_39.exec(rest);
  if (!p.proto) {
    if (flags4 || flags39 || rest.startsWith('tcp ')) p.proto = 'TCP';
    else if (rest.startsWith('UDP') || rest.startsWith('udp ')) p.proto = 'UDP';
    else if (rest.startsWith('ICMP6')) p.proto = 'ICMP6';
    else if (rest.startsWith('ICMP')) p.proto = 'ICMP';
  }
  const portBearing = p.proto === undefined ? IPV4_PORT.test(m[1]) : PORT_PROTOS.has(p.proto);
  [p.src, p.srcPort] = splitEndpoint(m[1], portBearing);
  [p.dst, p.dstPort] = splitEndpoint(m[2], portBearing);

  if (p.proto === 'TCP' && (flags4 || flags39)) {
    if (flags4) {
      p.flags = canonicalFlags(flags4[1], false);
      const start = restAt + flags4[0].length - 1 - flags4[1].length;
      p.flagsRange = { line: lineNo, start, end: start + flags4[1].length };
      let s = SEQ_4X.exec(rest);
      if (s) p.seq = uint(s[1], 0xffffffff);
      if ((s = TCP_LENGTH.exec(rest))) p.payloadLength = uint(s[1], 0xffffffff);
    } else if (flags39) {
      const s = SEQ_39.exec(rest);
      if (s) { p.seq = uint(s[1], 0xffffffff); p.payloadLength = uint(s[2], 0xffffffff); }
    }
    const a = ACK.exec(rest);
    if (a) p.ack = uint(a[1], 0xffffffff);
    const w = WIN.exec(rest);
    if (w) p.win = uint(w[1], 0xffffffff);
    if (flags39) {
      p.flags = canonicalFlags(flags39[1], a !== null);
      p.flagsRange = { line: lineNo, start: restAt, end: restAt + flags39[1].length };
    }
    if (rest.includes('(incorrect')) p.badChecksum = true;
  } else if (p.proto === 'ICMP' || p.proto === 'ICMP6') {
    const t = ICMP_TYPE.exec(rest);
    if (t) p.icmpType = t[1].trim();
  }
  if (p.proto === 'UDP' && rest.includes('(incorrect')) p.badChecksum = true;
  return true;
}

/** Splits text into lines without their terminators (LF, CRLF or a lone CR). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** Parses a whole tcpdump text document. Never throws; lines that are not packets are skipped. */
export function parseCapture(text: string): ParsedCapture {
  return parseLines(splitLines(text));
}

export function parseLines(lines: readonly string[]): ParsedCapture {
  const packets: Packet[] = [];
  // A packet whose IP header ended its line: the next line should carry its addresses.
  let awaiting: Packet | null = null;

  for (let lineNo = 0; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo];
    if (awaiting) {
      const pending: Packet = awaiting;
      awaiting = null;
      const c0 = line.charCodeAt(0);
      if (c0 === 32 || c0 === 9) {
        let i = 0;
        while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
        if (parseTransport(pending, line, lineNo, i)) {
          pending.endLine = lineNo;
          pending.endLineLength = line.length;
          pending.index = packets.length;
          packets.push(pending);
          continue;
        }
      }
    }
    const head = matchHead(line);
    if (!head || head.nonIp) continue;

    const p: Packet = {
      index: packets.length,
      startLine: lineNo,
      endLine: lineNo,
      endLineLength: line.length,
      family: head.family ?? 4,
      src: '',
      dst: '',
    };
    if (head.srcMac) p.srcMac = head.srcMac;
    if (head.dstMac) p.dstMac = head.dstMac;

    let at = head.at;
    if (line.charCodeAt(at) === 40 /* ( */) {
      const close = closingParen(line, at);
      if (close < 0) continue; // header cut off: not a packet we can read
      parseIpHeader(p, line, lineNo, at + 1, close - 1);
      at = close;
      while (line.charCodeAt(at) === 32) at++;
      if (at >= line.length) {
        awaiting = p;
        continue;
      }
      if (line.charCodeAt(at) === 58 /* : */) { at++; while (line.charCodeAt(at) === 32) at++; }
    }
    if (parseTransport(p, line, lineNo, at)) packets.push(p);
  }
  return { packets, lineCount: lines.length };
}
