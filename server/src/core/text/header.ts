import type { Packet } from '../packet';
import { digitsEnd, past, uint, uintIn } from './scan';

/* The IP header in parentheses: TTL, id, TOS, DF, protocol, length, bad checksum. */

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

// The number must end where tcpdump ends it (`,` or `)`): `ttl 1e3` or `ttl 0x40` is no TTL at all.
const HEADER_TTL = /\b(?:ttl|hlim) +(\d+)(?![\w.])/;
const HEADER_ID = /\bid (\d+)/;
const HEADER_TOS = /\b(?:tos|class) (0x[0-9a-f]+)/;
// `[` excluded inside: each attempt stops at the next `[`, so a line of unclosed `flags [` stays linear.
const HEADER_FLAGS = /\bflags \[([^\][]*)\]/;
const HEADER_PROTO = /\b(?:proto|next-header):? (\S+) \((\d+)\)/;
const HEADER_LENGTH = /\blength:? (\d+)/;

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
export function parseIpHeader(
  p: Packet,
  text: string,
  s: number,
  e: number,
  lineNo: number,
  firstLineLength: number,
): void {
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
