import type { Packet } from '../packet';
import { ParseRun, stickyMatch } from './run';
import { digitsEnd, isWordChar, uint, uintIn } from './scan';

/* The transport summary, `src > dst: …`: addresses, ports, TCP flags/seq/ack/win, ICMP type. */

const PORT_PROTOS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP', 'DCCP']);
/** tcpdump 4.x prints TCP flags in this order (print-tcp.c's tcp_flag_values); `e` is AE (4.99.5+). */
const FLAG_ORDER = 'FSRP.UEWe';

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
export function parseTransport(r: ParseRun, p: Packet, line: string, lineNo: number, from: number): boolean {
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
