import { ParseRun, stickyMatch } from './run';

/*
 * Head lines: where a packet starts (`-#` number, timestamp, `-i any` interface, link layer) and
 * where its IP part begins.
 */

export interface HeadMatch {
  /** Where the IP part (`IP ...`, `MPLS ...`, `(tos ...`, or addresses) starts. */
  at: number;
  /** Family the link layer announced (ethertype); `IP`/`IP6` keywords decide it later otherwise. */
  family?: 4 | 6;
  /** The head carried a `-#` number or a timestamp. */
  prefixed: boolean;
  /** Its timestamp counts from another packet (-ttt, -ttttt, tcpdump 3.9's deltas), not the clock. */
  timeIsDelta?: boolean;
  frameNumber?: number;
  timestamp?: string;
  srcMac?: string;
  dstMac?: string;
  /** The head names a non-IP packet (ARP, STP ...): it ends the previous packet, makes none. */
  nonIp: boolean;
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

/**
 * Where the IP part starts behind a link layer or capture decoration the parser knows nothing else
 * about (PPPoE `[ses 0x1] IP ...`, raw IP's `ip: `, BSD loopback's `AF IPv4 (2), length 44: `,
 * PPP's `IP (0x0021), length 44: ` inside another frame): an `IP`/`IP6` keyword after a space, or
 * `: ` followed by an IP header or addresses. Searched only where nothing more specific matched.
 */
function decoratedIpAt(r: ParseRun, line: string, from: number): { at: number; family?: 4 | 6 } | null {
  for (let i = line.indexOf('IP', from); i >= 0; i = line.indexOf('IP', i + 2)) {
    if (i > from && line.charCodeAt(i - 1) !== 32) continue;
    const e = stickyMatch(r.sticky.PROTOCOL_E, line, i);
    if (e) return { at: i + e[0].length, family: e[1] === 'IP' ? 4 : e[1] === 'IP6' ? 6 : undefined };
    const k = stickyMatch(r.sticky.IP_KEYWORD, line, i);
    if (k && (line.charCodeAt(i + k[0].length) === 40 /* ( */ || isAddressStart(line, i + k[0].length)))
      return { at: i };
  }
  for (let k = line.indexOf(': ', from); k >= 0; k = line.indexOf(': ', k + 2)) {
    if (stickyMatch(r.sticky.IP_PART_V4, line, k + 2)) return { at: k + 2, family: 4 };
    if (stickyMatch(r.sticky.IP_PART_V6, line, k + 2)) return { at: k + 2, family: 6 };
  }
  return null;
}

function isAddressStart(line: string, at: number): boolean {
  const c = line.charCodeAt(at);
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || c === 58; /* : */
}

export function matchHead(r: ParseRun, line: string, requirePrefix: boolean): HeadMatch | null {
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
  let timeIsDelta = false;
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
    // -ttt and -ttttt print a sign (a space when positive) before the delta; 3.9 prints `%06d`.
    timeIsDelta = line.charCodeAt(at) === 32 || /^(?:\d+\. )?\d{6}$/.test(m[1]);
    at += m[0].length;
    timestamp = m[1];
    prefixed = true;
    if ((m = stickyMatch(r.sticky.INVALID_NS, line, at))) at += m[0].length;
  } else if ((m = stickyMatch(r.sticky.TIME_NOTE, line, at))) {
    // A time tcpdump could not convert still marks a head: the packet keeps its addresses.
    at += m[0].length;
    timestamp = m[1];
    prefixed = true;
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
    ...(timeIsDelta ? { timeIsDelta } : {}),
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
    const e = findIpEthertype(r, line, at) ?? decoratedIpAt(r, line, at);
    if (!e) return result(at, true);
    return result(e.at, false, e.family, mac?.[1], mac?.[2]);
  }
  if (!prefixed) {
    // With -t there is no prefix to tell a head: only a link layer that names its IPv4/IPv6
    // ethertype, or a decoration that starts the line and hands over to an IP header or addresses
    // within its first words (`ip: `, `AF IPv4 (2), length 44: `).
    if (!(c >= 65 && c <= 122)) return null;
    const e = findIpEthertype(r, line, at);
    if (e) return result(e.at, false, e.family);
    const d = decoratedIpAt(r, line, at);
    return d && d.at <= 64 ? result(d.at, false, d.family) : null;
  }
  // Other link layers (vendor tags, 802.11, MACsec, PPP ...) hand over to IP after an
  // `ethertype IPv4` or a `: IP ` label; a prefixed line with neither (ARP, STP, LLDP ...) still
  // starts a new, non-IP packet.
  const e = findIpEthertype(r, line, at);
  const kwAt = labelledIpAt(line, at);
  if (kwAt >= 0 && (!e || kwAt < e.at)) return result(kwAt, false);
  if (e) return result(e.at, false, e.family);
  const d = decoratedIpAt(r, line, at);
  if (d) return result(d.at, false, d.family);
  return result(at, true);
}
