import type { Packet, ParsedCapture, TokenRange } from './packet';

/*
 * tcpdump text → Packet records, one pass over the lines.
 *
 * A packet starts on a "head" line: column 0 (or after a `-#` packet number), optional
 * timestamp (-t variants, --nano), optional `-i any` interface and direction, a link layer (`IP`,
 * `IP6`, `-e` MAC addresses and ethertypes, VLAN tags, MPLS labels), then the outermost IP header.
 * tcpdump 4.x `-v` ends an IPv4 head line with the IP header's closing `)` and prints the
 * transport summary on the next, indented line; tcpdump 3.9 and IPv6 print both on one line.
 * Lines that start with white space are never heads, so quoted headers inside ICMP errors, hex
 * dumps and decoded payloads cannot become packets. Once a document shows heads with a timestamp
 * or `-#` number, lines without one are not heads either: that keeps `-A` payload and the inner
 * frames tunnels print at column 0 (VXLAN, Geneve) inside their packet.
 *
 * Every pattern below is anchored (sticky or `^`), or unanchored with each attempt stopped by the
 * next separator, or a plain indexOf scan, so no line, however long, makes a regex rescan it from
 * every start. An unanchored pattern ending in `$` would (V8 tries each start and runs to the end):
 * line ends are read backwards instead.
 */

const PROTO_BY_NUMBER: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  33: 'DCCP',
  41: 'IPV6',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMP6',
  88: 'EIGRP',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  115: 'L2TP',
  132: 'SCTP',
  135: 'MOBILITY',
};
/** IPv6 extension headers: the transport is whatever follows them, not the header's next-header. */
const IPV6_EXTENSIONS: ReadonlySet<number> = new Set([0, 43, 44, 51, 60]);
const PORT_PROTOS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP', 'DCCP']);
/** tcpdump 4.x prints TCP flags in this order (print-tcp.c's tcp_flag_values); `e` is AE (4.99.5+). */
const FLAG_ORDER = 'FSRP.UEWe';

/**
 * The sticky patterns, matched at a given position (stickyMatch). A sticky regex keeps that
 * position in its own `lastIndex`, state a module-level pattern would carry from one parse into
 * the next, so each parse run makes its own set (ParseRun.sticky).
 */
function stickyPatterns() {
  return {
    // Prefix of a head line: `-#` number, timestamp (-tt, -ttt, -tttt, -ttttt, --nano), `-i any` interface.
    PACKET_NUMBER: /^ *(\d+) {2}/y,
    INDENTED_DELTA: / \d\d:\d\d:\d\d\.\d+ /y,
    // tcpdump 3.9 -ttt prints the delta as `%06d` microseconds, after `%d. ` seconds when there are any.
    TIMESTAMP: / *((?:\d{4}-\d\d-\d\d )?\d{1,2}:\d\d:\d\d(?:\.\d+)?|\d+\.\d+|(?:\d+\. )?\d{6}) +/y,
    /** `--print-caplen`-style lengths before the timestamp, `(invalid ns)` after a broken one. */
    CAPLEN: /caplen \d+ len \d+ /y,
    INVALID_NS: /\(invalid ns\) /y,
    ANY_INTERFACE: /[\w.:@-]+ +(?:In|Out|B|M|P|O|U|\?) +(?:ifindex \d+ +)?/y,
    /** Linux cooked capture with -e: direction, optional link address, then the ethertype. */
    COOKED_E: /(?:In|Out|B|M|P) +(?:[0-9a-f]{2}(?::[0-9a-f]{2})* +)?(?=ethertype )/y,
    MAC_HEAD: /([0-9a-f]{2}(?::[0-9a-f]{2}){5}) > ([0-9a-f]{2}(?::[0-9a-f]{2}){5}|Broadcast)?,? ?/y,
    ETHERTYPE_IP: /ethertype (IPv4|IPv6|MPLS unicast|MPLS multicast) \(0x[0-9a-f]{4}\),? (?:length \d+: )?/y,
    IP_KEYWORD: /IP(6)? /y,
    /** PPP and other links with -e: `IP (0x0021), length 172: `, `MPLS (0x0281), length 48: `. */
    PROTOCOL_E: /(IP6?|MPLS) \(0x[0-9a-f]{4}\), length \d+: /y,
    // Matched where the summary starts, so the line needs no slicing first.
    ADDRESSES: /(\S+) > (\S+?):(?: |$)/y,
  };
}

// The number must end where tcpdump ends it (`,` or `)`): `ttl 1e3` or `ttl 0x40` is no TTL at all.
const HEADER_TTL = /\b(?:ttl|hlim) +(\d+)(?![\w.])/;
const HEADER_ID = /\bid (\d+)/;
const HEADER_TOS = /\b(?:tos|class) (0x[0-9a-f]+)/;
// `[` excluded inside: each attempt stops at the next `[`, so a line of unclosed `flags [` stays linear.
const HEADER_FLAGS = /\bflags \[([^\][]*)\]/;
const HEADER_PROTO = /\b(?:proto|next-header):? (\S+) \((\d+)\)/;
const HEADER_LENGTH = /\blength:? (\d+)/;

const DIGITS = /^\d+$/;

const TCP_FLAGS_4X = /^Flags \[([^\]]*)\]/;
const TCP_FLAGS_39 = /^([SFRPWEU]+|\.)(?=[ ,]|$)/;
/** What follows 3.9 flag letters in a TCP summary: `seq:seq(len)`, `ack N` or `win N`. */
const TCP_39_TAIL = /^[ ,]+(?:cksum 0x[0-9a-f]+ \([^)]*\)+,? *)?(?:\d+:\d+\(\d+\)|ack \d|win \d)/;
const SEQ_39 = /(?:^|[ ,])(\d+):\d+\((\d+)\)/;
const ICMP_TYPE = /^ICMP6?,? ([^,]+)/;
/** After IPv6 extension headers tcpdump prints the transport's ports without addresses. */
const BARE_PORTS = /(?:^| )(\d{1,5}) > (\d{1,5}): /;
const EXTENSION_HEADER = /^(?:HBH|DSTOPT|srcrt|RT6|frag|AH|mobility)\b/;

interface HeadMatch {
  /** Where the IP part (`IP ...`, `MPLS ...`, `(tos ...`, or addresses) starts. */
  at: number;
  /** Family the link layer announced (ethertype); `IP`/`IP6` keywords decide it later otherwise. */
  family?: 4 | 6;
  /** The head carried a `-#` number or a timestamp. */
  prefixed: boolean;
  frameNumber?: number;
  timestamp?: string;
  srcMac?: string;
  dstMac?: string;
  /** The head names a non-IP packet (ARP, STP ...): it ends the previous packet, makes none. */
  nonIp: boolean;
}

function stickyMatch(re: RegExp, line: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(line);
}

/**
 * The first `ethertype IPv4|IPv6|MPLS` after `from`, past vendor headers, VLAN tags and MACsec,
 * or null. Tunnelled frames print their ethertypes after the outer IP packet, so the first one
 * is the outermost.
 */
function findIpEthertype(r: ParseRun, line: string, from: number): { at: number; family?: 4 | 6 } | null {
  for (let i = line.indexOf('ethertype ', from); i >= 0; i = line.indexOf('ethertype ', i + 10)) {
    const m = stickyMatch(r.sticky.ETHERTYPE_IP, line, i);
    if (m) return { at: i + m[0].length, family: m[1] === 'IPv4' ? 4 : m[1] === 'IPv6' ? 6 : undefined };
  }
  return null;
}

/** Position of the first `: IP `, `: IP6 ` or `: MPLS (` after `from`, past the `: `; or -1. */
function labelledIpAt(line: string, from: number): number {
  for (let k = line.indexOf(': ', from); k >= 0; k = line.indexOf(': ', k + 2)) {
    if (line.startsWith('IP ', k + 2) || line.startsWith('IP6 ', k + 2) || line.startsWith('MPLS (', k + 2))
      return k + 2;
  }
  return -1;
}

function matchHead(r: ParseRun, line: string, requirePrefix: boolean): HeadMatch | null {
  if (line.length === 0) return null;
  const c0 = line.charCodeAt(0);
  if (c0 === 9 /* tab */) return null;
  if (c0 === 32 /* space */) {
    // Fast exit for indented lines (half of a -v capture): both indented head forms below, a `-#`
    // number and a -ttt delta, need a digit right after the indent.
    let i = 1;
    while (line.charCodeAt(i) === 32) i++;
    const d = line.charCodeAt(i);
    if (!(d >= 48 && d <= 57)) return null;
  }
  let at = 0;
  let prefixed = false;
  let frameNumber: number | undefined;
  let timestamp: string | undefined;
  let m = stickyMatch(r.sticky.PACKET_NUMBER, line, 0);
  if (m) {
    at = m[0].length;
    frameNumber = Number(m[1]);
    prefixed = true;
  } else if (c0 === 32 /* space */ && !stickyMatch(r.sticky.INDENTED_DELTA, line, 0)) {
    // Only a `-#` packet number, or the sign space -ttt/-ttttt print before a delta, may indent a
    // head line; anything else indented continues the previous packet.
    return null;
  }
  if (frameNumber !== undefined && (m = stickyMatch(r.sticky.CAPLEN, line, at))) at += m[0].length;
  m = stickyMatch(r.sticky.TIMESTAMP, line, at);
  if (m) {
    at += m[0].length;
    timestamp = m[1];
    prefixed = true;
    if ((m = stickyMatch(r.sticky.INVALID_NS, line, at))) at += m[0].length;
  } else if (frameNumber !== undefined && line.charCodeAt(at) === 32) {
    return null;
  }
  if (requirePrefix && !prefixed) return null;
  if (prefixed) {
    m = stickyMatch(r.sticky.ANY_INTERFACE, line, at);
    if (m) at += m[0].length;
  }
  // An explicit literal, not a spread of the prefix fields: object spread was the parser's hottest line.
  const result = (at: number, nonIp: boolean, family?: 4 | 6, srcMac?: string, dstMac?: string): HeadMatch => ({
    at,
    family,
    prefixed,
    frameNumber,
    timestamp,
    srcMac,
    dstMac,
    nonIp,
  });

  const c = line.charCodeAt(at);
  if (c === 73 /* I */ || c === 77 /* M */) {
    const e = stickyMatch(r.sticky.PROTOCOL_E, line, at);
    if (e) return result(at + e[0].length, false, e[1] === 'IP' ? 4 : e[1] === 'IP6' ? 6 : undefined);
  }
  if (c === 73 /* I */ && stickyMatch(r.sticky.IP_KEYWORD, line, at)) return result(at, false);
  if (c === 77 /* M */ && line.startsWith('MPLS (', at)) return result(at, false);

  const mac = stickyMatch(r.sticky.MAC_HEAD, line, at);
  const cooked = mac ? null : prefixed ? stickyMatch(r.sticky.COOKED_E, line, at) : null;
  if (mac || cooked) {
    const e = findIpEthertype(r, line, at);
    if (!e) return result(at, true);
    return result(e.at, false, e.family, mac?.[1], mac?.[2]);
  }
  if (!prefixed) return null;
  // Other link layers (vendor tags, 802.11, MACsec, PPP ...) hand over to IP after an
  // `ethertype IPv4` or a `: IP ` label; a prefixed line with neither (ARP, STP, LLDP ...) still
  // starts a new, non-IP packet.
  const e = findIpEthertype(r, line, at);
  const kwAt = labelledIpAt(line, at);
  if (kwAt >= 0 && (!e || kwAt < e.at)) return result(kwAt, false);
  if (e) return result(e.at, false, e.family);
  return result(at, true);
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

/** 4.x `Flags [S.]` letters in canonical order; `none` means no flags at all. */
function flagsFrom4x(letters: string): string {
  if (letters === 'none') return '';
  let out = '';
  for (const f of FLAG_ORDER) if (letters.includes(f)) out += f;
  return out;
}

/** 3.9 letters: `.` only says "none of S F R P"; the ACK bit shows as `ack N`. */
function flagsFrom39(letters: string, hasAck: boolean): string {
  let out = '';
  for (const f of FLAG_ORDER) if (f === '.' ? hasAck : letters.includes(f)) out += f;
  return out;
}

/** Index just past the digits at `i` of `s`, or -1 when there are none. */
function digitsEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j === i ? -1 : j;
}

/**
 * The digits from `i` to `end` (see digitsEnd) as uint() reads them: undefined past `max` or 10
 * digits. Without a substring; and the end comes from digitsEnd, not a module-level variable, so
 * no parse leaves state behind.
 */
function uintIn(s: string, i: number, end: number, max: number): number | undefined {
  if (end - i > 10) return undefined;
  let n = 0;
  for (let j = i; j < end; j++) n = n * 10 + (s.charCodeAt(j) - 48);
  return n > max ? undefined : n;
}

/** Index just past `literal` at `i` of `text`, or -1 when it is not there. */
function past(text: string, i: number, literal: string): number {
  return text.startsWith(literal, i) ? i + literal.length : -1;
}

/**
 * The IPv4 header as tcpdump 4.x and 3.9 print it, `tos 0x0, ttl 64, id 1, offset 0, flags [DF],
 * proto TCP (6), length 60`, read in one left-to-right pass: the six header regexes cost a fifth
 * of a run. Returns false, having set nothing, for any other shape; the regexes then decide. Where
 * it returns true each field is where the regexes' first match would be (the flags allow no
 * spaces, so no keyword can hide in them), and it sets the same fields in the same order.
 */
function parseIpv4HeaderInOrder(
  p: Packet,
  text: string,
  s: number,
  e: number,
  lineNo: number,
  firstLineLength: number,
): boolean {
  let i = past(text, s, 'tos 0x');
  if (i < 0) return false;
  let tos = 0;
  const tosAt = i;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) tos = tos * 16 + (c - 48);
    else if (c >= 97 && c <= 102) tos = tos * 16 + (c - 87);
    else break;
  }
  if (i === tosAt || i - tosAt > 8) return false;
  if ((i = past(text, i, ', ttl ')) < 0) return false;
  while (text.charCodeAt(i) === 32) i++;
  const ttlAt = i;
  const ttlEnd = digitsEnd(text, i);
  if (ttlEnd < 0 || text.charCodeAt(ttlEnd) !== 44 /* , */) return false;
  const ttl = uintIn(text, ttlAt, ttlEnd, 255);
  if ((i = past(text, ttlEnd, ', id ')) < 0) return false;
  const idEnd = digitsEnd(text, i);
  if (idEnd < 0) return false;
  const ipId = uintIn(text, i, idEnd, 0xffff);
  if ((i = past(text, idEnd, ', offset ')) < 0) return false;
  const offsetEnd = digitsEnd(text, i);
  if (offsetEnd < 0 || (i = past(text, offsetEnd, ', flags [')) < 0) return false;
  const flagsAt = i;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 /* + */ || c === 46 /* . */)) break;
  }
  if (text.charCodeAt(i) !== 93 /* ] */) return false;
  const flagsEnd = i;
  if ((i = past(text, i + 1, ', proto')) < 0) return false;
  if (text.charCodeAt(i) === 58 /* : */) i++;
  if (text.charCodeAt(i) !== 32) return false;
  const nameAt = ++i;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127) break;
  }
  if (i === nameAt || text.charCodeAt(i) !== 32 || text.charCodeAt(i + 1) !== 40 /* ( */) return false;
  const nameEnd = i;
  const numberAt = i + 2;
  const numberEnd = digitsEnd(text, numberAt);
  const protoNumber = numberEnd < 0 ? undefined : uintIn(text, numberAt, numberEnd, Infinity);
  if (protoNumber === undefined || numberEnd - numberAt > 9 || text.charCodeAt(numberEnd) !== 41 /* ) */) return false;
  if ((i = past(text, numberEnd + 1, ', length')) < 0) return false;
  if (text.charCodeAt(i) === 58 /* : */) i++;
  if (text.charCodeAt(i) !== 32) return false;
  const lengthEnd = digitsEnd(text, i + 1);
  if (lengthEnd < 0 || lengthEnd > e) return false;
  const ipLength = uintIn(text, i + 1, lengthEnd, 0xffffffff);

  if (ttl !== undefined) {
    p.ttl = ttl;
    p.ttlRange =
      ttlAt < firstLineLength
        ? { line: lineNo, start: ttlAt, end: ttlEnd }
        : { line: lineNo + 1, start: ttlAt - firstLineLength, end: ttlEnd - firstLineLength };
  }
  if (p.family === 4) p.ipId = ipId;
  p.tos = tos;
  const df = text.indexOf('DF', flagsAt);
  p.df = df >= 0 && df + 2 <= flagsEnd;
  if (!(p.family === 6 && IPV6_EXTENSIONS.has(protoNumber))) {
    const name =
      PROTO_BY_NUMBER[protoNumber] ??
      (text.slice(nameAt, nameEnd) === 'unknown' ? undefined : text.slice(nameAt, nameEnd).toUpperCase());
    if (name) p.proto = name;
  }
  p.ipLength = ipLength;
  const bad = text.indexOf('bad cksum', s);
  if (bad >= 0 && bad + 9 <= e) p.badChecksum = true;
  return true;
}

/** Reads the IP header text from `s` to `e` of `text`, whose first line (`lineNo`) is `firstLineLength` long. */
function parseIpHeader(p: Packet, text: string, s: number, e: number, lineNo: number, firstLineLength: number): void {
  if (parseIpv4HeaderInOrder(p, text, s, e, lineNo, firstLineLength)) return;
  const h = text.slice(s, e);
  const from = s;
  let m = HEADER_TTL.exec(h);
  if (m) {
    const ttl = uint(m[1], 255);
    if (ttl !== undefined) {
      p.ttl = ttl;
      const start = from + m.index + m[0].length - m[1].length;
      // A header an editor wrapped onto the next line: the range is on that line.
      p.ttlRange =
        start < firstLineLength
          ? { line: lineNo, start, end: start + m[1].length }
          : { line: lineNo + 1, start: start - firstLineLength, end: start - firstLineLength + m[1].length };
    }
  }
  if (p.family === 4 && (m = HEADER_ID.exec(h))) p.ipId = uint(m[1], 0xffff);
  if ((m = HEADER_TOS.exec(h))) p.tos = parseInt(m[1], 16);
  if ((m = HEADER_FLAGS.exec(h))) p.df = m[1].includes('DF');
  if ((m = HEADER_PROTO.exec(h))) {
    const n = Number(m[2]);
    if (!(p.family === 6 && IPV6_EXTENSIONS.has(n))) {
      const name = PROTO_BY_NUMBER[n] ?? (m[1] === 'unknown' ? undefined : m[1].toUpperCase());
      if (name) p.proto = name;
    }
  }
  if ((m = HEADER_LENGTH.exec(h))) p.ipLength = uint(m[1], 0xffffffff);
  if (h.includes('bad cksum')) p.badChecksum = true;
}

function dotCount(text: string, from: number): number {
  let n = 0;
  for (let i = from; i < text.length; i++) if (text.charCodeAt(i) === 46) n++;
  return n;
}

/**
 * Where `address.port` splits: the index of the `.` before the port, or -1 when `text` shows none.
 * Literal addresses say by their dots whether a port follows (IPv4: four dots; IPv6: one dot, or
 * four after an embedded IPv4 tail). Host names (no -n) end in a port only when the packet is
 * TCP/UDP, which `portBearing` tells.
 */
function portDot(text: string, portBearing: boolean): number {
  // An index rather than a fresh [host, port] array (two per packet added up) or a module-level
  // "last port" variable (state that outlived the parse).
  const colon = text.lastIndexOf(':');
  const dots = dotCount(text, colon + 1);
  let hasPort: boolean;
  if (colon >= 0) hasPort = dots === 1 || dots === 4;
  else if (isNumericAddress(text)) hasPort = dots === 4;
  else hasPort = (portBearing && dots >= 1) || hasIpv4BeforePort(text);
  if (!hasPort) return -1;
  const dot = text.lastIndexOf('.');
  return dot <= 0 || dot === text.length - 1 ? -1 : dot;
}

/** The address of `address.port` split at `dot` (see portDot). */
function hostPart(text: string, dot: number): string {
  return dot < 0 ? text : text.slice(0, dot);
}

/** The port of `address.port` split at `dot`, or undefined. */
function portPart(text: string, dot: number): string | undefined {
  return dot < 0 ? undefined : text.slice(dot + 1);
}

/**
 * What one parse (parseLineRange) owns while it runs, passed down to the functions that need it,
 * so that nothing of a parse lives at module level: the sticky patterns and the shared strings.
 */
class ParseRun {
  readonly sticky = stickyPatterns();

  /**
   * One string per distinct address, port and flag set for the packets of this parse. Every
   * packet keeps these, and a capture repeats them packet after packet: sharing one copy leaves
   * the per-packet copies as short-lived garbage instead of data the garbage collector moves twice.
   */
  private readonly strings = new Map<string, string>();

  shared(text: string): string;
  shared(text: string | undefined): string | undefined;
  shared(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * What `/\b<keyword>(\d+)/` (keyword with its trailing space) finds first in `s`, read by uint(),
 * or null when it finds nothing: the same answer without a match array and substring per field.
 */
function numberAfter(s: string, keyword: string, max: number): number | undefined | null {
  for (let i = s.indexOf(keyword); i >= 0; i = s.indexOf(keyword, i + 1)) {
    if (i > 0 && isWordChar(s.charCodeAt(i - 1))) continue;
    const c = s.charCodeAt(i + keyword.length);
    if (c >= 48 && c <= 57) return uintIn(s, i + keyword.length, digitsEnd(s, i + keyword.length), max);
  }
  return null;
}

/** Digits and dots only, at least a.b.c.d: an IPv4 address, maybe with a numeric port. */
function isNumericAddress(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return dotCount(text, 0) >= 3;
}

/** Does the endpoint visibly carry a port (a literal address with one, or a numeric last label)? */
function showsPort(text: string): boolean {
  const colon = text.lastIndexOf(':');
  const dots = dotCount(text, colon + 1);
  if (colon >= 0) return dots === 1 || dots === 4;
  if (isNumericAddress(text)) return dots === 4;
  const dot = text.lastIndexOf('.');
  return dot > 0 && (DIGITS.test(text.slice(dot + 1)) || hasIpv4BeforePort(text));
}

/** `192.168.1.249.netbios-dgm`: an IPv4 literal and a service name (no -n, host not resolved). */
function hasIpv4BeforePort(text: string): boolean {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return false;
  const host = text.slice(0, dot);
  return isNumericAddress(host) && dotCount(host, 0) === 3;
}

/** Skips `[udp sum ok] `-style verdicts tcpdump -v puts before a transport's summary. */
function skipBrackets(rest: string): string {
  let s = rest;
  while (s.charCodeAt(0) === 91 /* [ */ && !s.startsWith('[|')) {
    const close = s.indexOf('] ');
    if (close < 0) break;
    s = s.slice(close + 2);
  }
  return s;
}

function transportFromText(rest: string): string | undefined {
  if (rest.startsWith('Flags [') || rest.startsWith('tcp ') || rest.startsWith('[|tcp]')) return 'TCP';
  if (rest.startsWith('UDP') || rest.startsWith('udp ') || rest.startsWith('[|udp]')) return 'UDP';
  if (rest.startsWith('ICMP6') || rest.startsWith('icmp6')) return 'ICMP6';
  if (rest.startsWith('ICMP') || rest.startsWith('icmp ')) return 'ICMP';
  if (rest.startsWith('GREv')) return 'GRE';
  if (rest.startsWith('ESP(')) return 'ESP';
  if (rest.startsWith('sctp') || rest.startsWith('[|sctp]')) return 'SCTP';
  return undefined;
}

/** Parses `src > dst: rest` starting at `from`; returns false when the text is no such summary. */
function parseTransport(r: ParseRun, p: Packet, line: string, lineNo: number, from: number): boolean {
  const m = stickyMatch(r.sticky.ADDRESSES, line, from);
  if (!m) return false;
  let restAt = from + m[0].length;
  let rest = line.slice(restAt);
  let bare: RegExpExecArray | null = null;
  if (p.family === 6 && EXTENSION_HEADER.test(rest)) {
    // `HBH (jumbo: 80040)  41851 > 43913: Flags [P.]`, `srcrt (...) 5645 > 5642: UDP`
    bare = BARE_PORTS.exec(rest);
    const after = bare ? bare.index + bare[0].length : rest.lastIndexOf(') ') + 2;
    if (after > 1) {
      restAt += after;
      rest = rest.slice(after);
    }
  }
  const skipped = skipBrackets(rest);
  restAt += rest.length - skipped.length;
  rest = skipped;

  const flags4 = TCP_FLAGS_4X.exec(rest);
  let flags39 = flags4 ? null : TCP_FLAGS_39.exec(rest);
  if (flags39 && p.proto !== 'TCP' && !TCP_39_TAIL.test(rest.slice(flags39[0].length))) flags39 = null;
  if (!p.proto) {
    const t = flags4 || flags39 ? 'TCP' : transportFromText(rest);
    if (t) p.proto = t;
    else if (bare) p.proto = undefined;
  }
  if (bare) {
    p.srcPort = bare[1];
    p.dstPort = bare[2];
    [p.src, p.dst] = [m[1], m[2]];
  } else {
    const portBearing = p.proto === undefined ? showsPort(m[1]) || showsPort(m[2]) : PORT_PROTOS.has(p.proto);
    const srcDot = portDot(m[1], portBearing);
    const dstDot = portDot(m[2], portBearing);
    p.src = r.shared(hostPart(m[1], srcDot));
    p.srcPort = r.shared(portPart(m[1], srcDot));
    p.dst = r.shared(hostPart(m[2], dstDot));
    p.dstPort = r.shared(portPart(m[2], dstDot));
  }

  if (p.proto === 'TCP' && (flags4 || flags39)) {
    if (flags4) {
      p.flags = r.shared(flagsFrom4x(flags4[1]));
      const start = restAt + flags4[0].length - 1 - flags4[1].length;
      p.flagsRange = { line: lineNo, start, end: start + flags4[1].length };
      const seq = numberAfter(rest, 'seq ', 0xffffffff);
      if (seq !== null) p.seq = seq;
      const length = numberAfter(rest, 'length ', 0xffffffff);
      if (length !== null) p.payloadLength = length;
    } else if (flags39) {
      const s = SEQ_39.exec(rest);
      if (s) {
        p.seq = uint(s[1], 0xffffffff);
        p.payloadLength = uint(s[2], 0xffffffff);
      }
    }
    const ack = numberAfter(rest, 'ack ', 0xffffffff);
    if (ack !== null) p.ack = ack;
    const win = numberAfter(rest, 'win ', 0xffffffff);
    if (win !== null) p.win = win;
    if (flags39) {
      p.flags = r.shared(flagsFrom39(flags39[1], ack !== null));
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
  // Most captures end lines with LF alone: a plain string split is several times faster than the regex.
  return text.indexOf('\r') < 0 ? text.split('\n') : text.split(/\r\n|\n|\r/);
}

/**
 * Parses a whole tcpdump text document. Never throws; lines that are not packets are skipped.
 * tcpdump ends every line it prints, so a document that stops inside a word or number with no line
 * end after it is being typed (or was cut) right there: `ack 2` may yet become `ack 2098519389`,
 * `F` become `Flags [R.]`. That last word is not read; everything before it is.
 */
export function parseCapture(text: string, lines: readonly string[] = splitLines(text)): ParsedCapture {
  const last = lines.length - 1;
  const readable = readableLastLine(lines);
  if (readable === undefined) return parseLines(lines);
  const readableLines = lines.slice();
  readableLines[last] = readable;
  const parsed = parseLines(readableLines);
  for (const p of parsed.packets) if (p.endLine === last) p.endLineLength = lines[last].length;
  return parsed;
}

/** The last line without its unended last word (see parseCapture), or undefined when it has none. */
export function readableLastLine(lines: readonly string[]): string | undefined {
  const last = lines[lines.length - 1];
  // Scanned backwards: `/\w+$/` tries every start of a word run and rescans it to the end, so a
  // long run not at the end (`xxx…x.`) took quadratic time.
  let i = last.length;
  while (i > 0 && isWordChar(last.charCodeAt(i - 1))) i--;
  return i < last.length ? last.slice(0, i) : undefined;
}

/** Skips `[total length 58941 > length 61] (invalid) `-style notes tcpdump puts before a header. */
function skipNotes(line: string, at: number): number {
  for (;;) {
    if (line.charCodeAt(at) === 91 /* [ */ && line.charCodeAt(at + 1) !== 124 /* | */) {
      const close = line.indexOf('] ', at);
      if (close < 0) return at;
      at = close + 2;
    } else if (line.startsWith('(invalid) ', at)) {
      at += 10;
    } else return at;
  }
}

type Progress = 'done' | 'await-header' | 'await-transport' | 'none';

/**
 * Reads the IP part of a packet from `at` on line `lineNo`: MPLS labels, `IP`/`IP6`, the
 * header in parentheses, then the transport summary. Says what is still missing when the line
 * ends early (4.x -v prints the header and the summary, MPLS the labels, on separate lines).
 */
function readIpPart(
  r: ParseRun,
  p: Packet,
  lines: readonly string[],
  lineNo: number,
  at: number,
  requirePrefix: boolean,
): [Progress, number] {
  const line = lines[lineNo];
  while (line.startsWith('MPLS (', at)) {
    const close = closingParen(line, at + 5);
    if (close < 0) return ['none', lineNo];
    at = close;
    while (line.charCodeAt(at) === 32) at++;
  }
  if (at >= line.length) return ['await-header', lineNo];
  const kw = stickyMatch(r.sticky.IP_KEYWORD, line, at);
  if (kw) {
    p.family = kw[1] ? 6 : 4;
    at += kw[0].length;
  }
  at = skipNotes(line, at);
  if (line.charCodeAt(at) !== 40 /* ( */)
    return [parseTransport(r, p, line, lineNo, skipNotes(line, at)) ? 'done' : 'none', lineNo];

  // A header hard-wrapped by a terminal or an editor (the wrap copied as newlines): its rest is on
  // the next lines. They are joined, and positions in the joined text mapped back to their lines.
  const wrapped: WrappedText = { text: line, starts: [0], lengths: [line.length], lineNo };
  let close = closingParen(line, at);
  while (close < 0 && joinWrapped(r, wrapped, lines, requirePrefix)) close = closingParen(wrapped.text, at);
  if (close < 0) return ['none', lineNo]; // header cut off: not a packet we can read
  parseIpHeader(p, wrapped.text, at + 1, close - 1, lineNo, wrapped.text.length);
  at = close;
  while (wrapped.text.charCodeAt(at) === 32) at++;
  if (at >= wrapped.text.length) {
    finishWrapped(p, lines, wrapped);
    return ['await-transport', lineNo + wrapped.starts.length - 1];
  }
  if (wrapped.text.charCodeAt(at) === 58 /* : */ && wrapped.text.charCodeAt(at + 1) === 32) at += 2;
  at = skipNotes(wrapped.text, at);
  return readWrappedTransport(r, p, lines, wrapped, at, requirePrefix);
}

/**
 * The transport summary from `at` of `w`'s text; one wrapped inside its addresses, or right after
 * them (a TCP summary with its flags on the next line), goes on on the next lines.
 */
function readWrappedTransport(
  r: ParseRun,
  p: Packet,
  lines: readonly string[],
  w: WrappedText,
  at: number,
  requirePrefix: boolean,
): [Progress, number] {
  let ok = parseTransport(r, p, w.text, w.lineNo, at);
  while (
    (!ok || (p.proto === 'TCP' && p.flags === undefined && endsBeforeFlags(w.text))) &&
    joinWrapped(r, w, lines, requirePrefix)
  ) {
    ok = parseTransport(r, p, w.text, w.lineNo, at);
  }
  finishWrapped(p, lines, w);
  return [ok ? 'done' : 'none', w.lineNo + w.starts.length - 1];
}

/** Takes the next line into `w` if it can be the rest of a wrapped one (not a head, not tcpdump's own tab-indented detail). */
function joinWrapped(r: ParseRun, w: WrappedText, lines: readonly string[], requirePrefix: boolean): boolean {
  const next = w.lineNo + w.starts.length;
  if (w.starts.length > WRAP_LINES || next >= lines.length || lines[next].length === 0) return false;
  if (lines[next].charCodeAt(0) === 9 /* tab */) return false;
  const head = matchHead(r, lines[next], requirePrefix);
  // A cut address can look like a -tt head (`29.22 > …`); a printed timestamp cannot be that short.
  if (head && !(head.nonIp && head.timestamp !== undefined && !PRINTED_TIMESTAMP.test(head.timestamp))) return false;
  w.text += wrapGap(w.text, lines[next]);
  w.starts.push(w.text.length);
  w.lengths.push(lines[next].length);
  w.text += lines[next];
  return true;
}

/** What a TCP summary cut inside `: Flags [` ends with (a trailing space aside). */
const FLAGS_CUTS: readonly string[] = [':', ': F', ': Fl', ': Fla', ': Flag', ': Flags', ': Flags '];

/**
 * A TCP summary cut before its flags were whole: `…: `, `…: Fla`, `…: Flags [R`. What
 * `/:(?: F(?:l(?:a(?:g(?:s(?: (?:\[[^\]]*)?)?)?)?)?)?)? ?$/` matches, read from the end: that
 * regex tried every `: Flags [` and rescanned the line from each to its end, quadratic in the line.
 * @internal exported for its equivalence test.
 */
export function endsBeforeFlags(text: string): boolean {
  const open = text.lastIndexOf(': Flags [');
  if (open >= 0 && text.indexOf(']', open) < 0) return true;
  const end = text.charCodeAt(text.length - 1) === 32 ? text.length - 1 : text.length;
  for (const cut of FLAGS_CUTS) if (end >= cut.length && text.startsWith(cut, end - cut.length)) return true;
  return false;
}

const PRINTED_TIMESTAMP = /:|^\d{9,}\.\d{6,9}$/;

/** The packet's last line and its ranges, once its text is known to span `w`'s lines. */
function finishWrapped(p: Packet, lines: readonly string[], w: WrappedText): void {
  if (w.starts.length === 1) return;
  p.endLine = w.lineNo + w.starts.length - 1;
  p.endLineLength = lines[p.endLine].length;
  // Only ranges read from w's joined text move: a header finished on an earlier line keeps its own.
  if (p.ttlRange?.line === w.lineNo) setRange(p, 'ttlRange', mapRange(w, p.ttlRange));
  if (p.flagsRange?.line === w.lineNo) setRange(p, 'flagsRange', mapRange(w, p.flagsRange));
}

/** How many lines after a head a hard-wrapped IP header may continue on. */
const WRAP_LINES = 4;

/** A head line joined with the lines its header was wrapped onto. */
interface WrappedText {
  text: string;
  /** Where each joined line starts in `text` (the first at 0), and its own length. */
  starts: number[];
  lengths: number[];
  lineNo: number;
}

/**
 * What a hard wrap took out between two lines. An editor wraps at a space and drops it; a terminal
 * cuts anywhere and drops nothing, but a cut there falls inside a word as often as not. So: nothing
 * between two word characters (`192.168.40` + `.129`), or where a space is still there; a space
 * elsewhere (`192.168.40.129` + `>`, `proto:` + `TCP`).
 */
function wrapGap(before: string, after: string): string {
  const a = before.charCodeAt(before.length - 1);
  const b = after.charCodeAt(0);
  if (a === 32 || a === 9 || b === 32 || b === 9) return '';
  if (isWrapWordChar(a) && isWrapWordChar(b)) return '';
  // Inside an IPv6 address (`fd00:201:4` + `::2`, `fd00:201:` + `4::2`), not after `proto:`.
  if (isHexDigit(a) && b === 58) return '';
  if (
    a === 58 &&
    isHexDigit(b) &&
    before.length > 1 &&
    (isHexDigit(before.charCodeAt(before.length - 2)) || before.charCodeAt(before.length - 2) === 58)
  )
    return '';
  return ' ';
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Letters, digits and `.`: what a terminal's cut inside an address or number leaves on both sides. */
function isWrapWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46; /* . */
}

function lineOf(w: WrappedText, position: number): number {
  let i = w.starts.length - 1;
  while (i > 0 && w.starts[i] > position) i--;
  return w.lineNo + i;
}

function setRange(p: Packet, key: 'ttlRange' | 'flagsRange', r: TokenRange | undefined): void {
  if (r) p[key] = r;
  else delete p[key];
}

/** A range parsed on the joined text, back on its own line; gone if it spans a wrap. */
function mapRange(w: WrappedText, r: TokenRange): TokenRange | undefined {
  if (w.starts.length === 1) return r;
  const line = lineOf(w, r.start);
  if (line !== lineOf(w, r.end - 1)) return undefined;
  const base = w.starts[line - w.lineNo];
  // A token that runs into a gap the join put in is not on one line either.
  if (r.end - base > w.lengths[line - w.lineNo]) return undefined;
  return { line, start: r.start - base, end: r.end - base };
}

/**
 * Builds packets with `new`, so V8 reserves in-object room for the fields the parser adds later
 * (its slack tracking sizes objects by the `this.` assignments a constructor could make). A
 * literal gets exactly its seven fields, and every later one reallocates an out-of-object array:
 * at a million packets that was a third of the run in the garbage collector. The prototype stays
 * Object.prototype, so a packet is still a plain object (deepStrictEqual, JSON, spread).
 */
const PacketRecord = function (
  this: Packet,
  index: number,
  head: HeadMatch,
  lineNo: number,
  line: string,
  never: boolean,
) {
  this.index = index;
  this.startLine = lineNo;
  this.endLine = lineNo;
  this.endLineLength = line.length;
  this.family = head.family ?? 4;
  this.src = '';
  this.dst = '';
  if (head.frameNumber !== undefined) this.frameNumber = head.frameNumber;
  if (head.timestamp !== undefined) this.timestamp = head.timestamp;
  if (head.srcMac) this.srcMac = head.srcMac;
  if (head.dstMac) this.dstMac = head.dstMac;
  if (never) {
    // Never runs: these assignments only tell V8 how many fields a packet may grow to.
    this.carrierLine =
      this.srcPort =
      this.dstPort =
      this.proto =
      this.ttl =
      this.ttlRange =
      this.ipId =
      this.tos =
      this.df =
        undefined;
    this.ipLength =
      this.flags =
      this.flagsRange =
      this.seq =
      this.ack =
      this.win =
      this.payloadLength =
      this.icmpType =
      this.badChecksum =
        undefined;
  }
} as unknown as new (index: number, head: HeadMatch, lineNo: number, line: string, never: boolean) => Packet;
PacketRecord.prototype = Object.prototype;

function newPacket(index: number, head: HeadMatch, lineNo: number, line: string): Packet {
  return new PacketRecord(index, head, lineNo, line, false);
}

/** An indented `IP (` / `IP6 (` line. */
function startsIpHeader(line: string): boolean {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  return i > 0 && (line.startsWith('IP (', i) || line.startsWith('IP6 (', i));
}

export function parseLines(lines: readonly string[]): ParsedCapture {
  const { packets, prefixedHeads } = parseLineRange(lines, 0, undefined, Infinity);
  return { packets, lineCount: lines.length, prefixedHeads };
}

export interface LineRangeParse {
  /** Packets whose head is in [from, stoppedAt), indexed from 0. */
  packets: Packet[];
  /** Whether the document's heads carry a prefix (decided by its first head), once known. */
  prefixedHeads: boolean | undefined;
  /** The head line the parse stopped at, or the line count. */
  stoppedAt: number;
}

/**
 * Parses from line `from`, which must be the document's start or a head line, up to the first
 * head line at or after `stopFrom`. A head line discards whatever the parser was waiting for and
 * no packet reads past the next head, so the packets from a head on depend only on the lines from
 * there and on `prefixedHeads`: that is what lets an edited document be reparsed between two heads.
 */
export function parseLineRange(
  lines: readonly string[],
  from: number,
  prefixedHeadsAtStart: boolean | undefined,
  stopFrom: number,
): LineRangeParse {
  return parseRange(new ParseRun(), lines, from, prefixedHeadsAtStart, stopFrom);
}

function parseRange(
  r: ParseRun,
  lines: readonly string[],
  from: number,
  prefixedHeadsAtStart: boolean | undefined,
  stopFrom: number,
): LineRangeParse {
  const packets: Packet[] = [];
  // A packet whose head line ended early: the next line should carry its header or addresses.
  let awaiting: Packet | null = null;
  let awaitingWhat: Progress = 'none';
  // Whether heads carry a `-#` number or timestamp; decided by the first head.
  let prefixedHeads = prefixedHeadsAtStart;
  // The latest head, when it named a non-IP frame that may still carry an IP packet.
  let carrier: HeadMatch | null = null;
  let carrierLine = -1;

  for (let lineNo = from; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo];
    const head = matchHead(r, line, prefixedHeads === true);
    if (head && lineNo >= stopFrom)
      return { packets, prefixedHeads: prefixedHeads ?? head.prefixed, stoppedAt: lineNo };
    if (awaiting) {
      const pending: Packet = awaiting;
      const what = awaitingWhat;
      awaiting = null;
      if (!head) {
        let i = 0;
        while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
        let progress: Progress;
        let last: number;
        if (what === 'await-header')
          [progress, last] = readIpPart(r, pending, lines, lineNo, i, prefixedHeads === true);
        else
          [progress, last] = readWrappedTransport(
            r,
            pending,
            lines,
            { text: line, starts: [0], lengths: [line.length], lineNo },
            i,
            prefixedHeads === true,
          );
        if (progress !== 'none') {
          pending.endLine = last;
          pending.endLineLength = lines[last].length;
          lineNo = last;
        }
        if (progress === 'done') {
          pending.index = packets.length;
          packets.push(pending);
          continue;
        }
        if (progress !== 'none') {
          awaiting = pending;
          awaitingWhat = progress;
          continue;
        }
      }
    }
    if (!head) {
      if (carrier && startsIpHeader(line)) {
        // A non-IP frame (NSH, LLC ...) that carries an IP packet prints its header indented on a
        // later line: that header is the frame's outermost IP header.
        const p = newPacket(packets.length, carrier, lineNo, line);
        p.carrierLine = carrierLine;
        carrier = null;
        let i = 0;
        while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
        const [progress, last] = readIpPart(r, p, lines, lineNo, i, prefixedHeads === true);
        p.endLine = last;
        p.endLineLength = lines[last].length;
        lineNo = last;
        if (progress === 'done') packets.push(p);
        else if (progress !== 'none') {
          awaiting = p;
          awaitingWhat = progress;
        }
      }
      continue;
    }
    carrier = null;
    if (prefixedHeads === undefined) prefixedHeads = head.prefixed;
    if (head.nonIp) {
      if (head.prefixed) {
        carrier = head;
        carrierLine = lineNo;
      }
      continue;
    }

    const p = newPacket(packets.length, head, lineNo, line);

    const [progress, last] = readIpPart(r, p, lines, lineNo, head.at, prefixedHeads === true);
    lineNo = last;
    if (progress === 'done') packets.push(p);
    else if (progress !== 'none') {
      awaiting = p;
      awaitingWhat = progress;
    }
  }
  return { packets, prefixedHeads, stoppedAt: lines.length };
}
