import { ipv4Text, macText } from './address';
import { printIpv4 } from './ip';
import { printIpv6 } from './ip6';
import { PrintContext, Truncation, enterLayer, u16, u32, u8 } from './printContext';

/*
 * Link layers, printed as tcpdump 4.99 prints them without -e: nothing before `IP`/`IP6` for
 * IP frames; one line per non-IP frame (ARP, LLDP ...), which the text parser skips.
 */

/** LINKTYPE_* values this decoder understands, with the name tcpdump gives them. */
export const SUPPORTED_LINK_TYPES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'EN10MB (Ethernet)',
  9: 'PPP',
  101: 'RAW (Raw IP)',
  104: 'C_HDLC (Cisco HDLC)',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL (Linux cooked v1)',
  228: 'IPV4 (Raw IPv4)',
  229: 'IPV6 (Raw IPv6)',
  276: 'LINUX_SLL2 (Linux cooked v2)',
};

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4',
  0x86dd: 'IPv6',
  0x0806: 'ARP',
  0x8035: 'Reverse ARP',
  0x8100: '802.1Q',
  0x88a8: '802.1Q-QinQ',
  0x9100: '802.1Q-9100',
  0x8847: 'MPLS unicast',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE D',
  0x8864: 'PPPoE S',
  0x88cc: 'LLDP',
  0x888e: 'EAPOL',
  0x8809: 'Slow Protocols',
  0x88f7: 'PTP',
  0x8808: 'MAC control',
  0x88e5: '802.1AE MACsec',
  0x893a: 'IEEE1905.1',
  0x9000: 'Loopback',
  0x22f0: 'AVB',
};
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);

/** Prints one frame's link layer and everything above it into `c.out`. */
export function printLinkFrame(c: PrintContext, linkType: number, length: number): void {
  c.printEthernet = printEthernet;
  switch (linkType) {
    case 1:
      printEthernet(c, 0, length);
      return;
    case 101:
      printRawIp(c, 0, length);
      return;
    // tcpdump prints LINKTYPE_IPV4/IPV6 with its raw-IP printer, which goes by the version nibble.
    case 228:
    case 229:
      printRawIp(c, 0, length);
      return;
    case 0:
    case 108:
      printBsdLoopback(c, length);
      return;
    case 113:
      printLinuxCooked(c, length);
      return;
    case 276:
      printLinuxCooked2(c, length);
      return;
    case 9:
      printPpp(c, length);
      return;
    case 104:
      printCiscoHdlc(c, length);
      return;
    default:
      throw new Error(`unsupported link type ${linkType}`);
  }
}

function printRawIp(c: PrintContext, at: number, length: number): void {
  c.protocol = 'raw';
  const version = u8(c, at) >> 4;
  if (version === 4) printIpv4(c, at, length);
  else if (version === 6) printIpv6(c, at, length);
  else c.out += `ip version ${version}`;
}

function printEthernet(c: PrintContext, at: number, length: number): void {
  c.protocol = 'ether';
  enterLayer(c, c.protocol);
  if (c.snapEnd - at < 14 || length < 14) throw new Truncation(c.protocol);
  const macs = `${macText(c.data, at + 6)} > ${macText(c.data, at)}`;
  const frameLength = length;
  let type = u16(c, at + 12);
  at += 14;
  length -= 14;
  for (;;) {
    if (VLAN_ETHERTYPES.has(type)) {
      c.protocol = 'vlan';
      if (c.snapEnd - at < 4 || length < 4) throw new Truncation(c.protocol);
      type = u16(c, at + 2);
      at += 4;
      length -= 4;
    } else if (type === 0x88e5) {
      // 802.1AE MACsec: integrity-only frames carry readable payload after the SecTAG.
      c.protocol = 'macsec';
      const tci = u8(c, at);
      const tagLength = tci & 0x20 ? 14 : 6;
      const shortLength = u8(c, at + 1);
      if (shortLength & ~0x3f || tci & 0x80) {
        c.out += `${macs}, 802.1AE MACsec (invalid)`;
        return;
      }
      if (tci & 0x0c) {
        c.out += `${macs} 802.1AE MACsec, encrypted, length ${length}`;
        return;
      }
      at += tagLength;
      length -= tagLength;
      if (length < 16 || c.snapEnd - at < 16) throw new Truncation(c.protocol);
      length -= 16;
      c.snapEnd -= 16; // the ICV ends the frame
      if (shortLength !== 0) {
        if (shortLength > length || shortLength > c.snapEnd - at) throw new Truncation(c.protocol);
        length = shortLength;
        c.snapEnd = at + shortLength;
      }
      type = u16(c, at);
      at += 2;
      length -= 2;
    } else break;
  }
  if (type <= 1500) {
    // 802.3 with an LLC header; only SNAP with an ethertype (RFC 1042) can carry IP.
    if (
      length >= 8 &&
      c.snapEnd - at >= 8 &&
      c.data[at] === 0xaa &&
      c.data[at + 1] === 0xaa &&
      c.data[at + 2] === 0x03 &&
      c.data[at + 3] === 0 &&
      c.data[at + 4] === 0 &&
      c.data[at + 5] === 0
    ) {
      const snapType = u16(c, at + 6);
      if (snapType === 0x0800 || snapType === 0x86dd) {
        printEthertype(c, snapType, at + 8, length - 8, macs);
        return;
      }
    }
    c.out += `${macs}, 802.3, length ${length}: LLC`;
    return;
  }
  // tcpdump names an untagged frame it cannot decode with the whole frame's length.
  printEthertype(c, type, at, length, macs, length === frameLength - 14 ? frameLength : length);
}

function printEthertype(
  c: PrintContext,
  type: number,
  at: number,
  length: number,
  macs?: string,
  shownLength = length,
): void {
  if (type === 0x0800) {
    printIpv4(c, at, length);
    return;
  }
  if (type === 0x86dd) {
    printIpv6(c, at, length);
    return;
  }
  if (type === 0x0806 || type === 0x8035) {
    printArp(c, at, length);
    return;
  }
  if (type === 0x8847 || type === 0x8848) {
    printMpls(c, at, length);
    return;
  }
  if (type === 0x894f) {
    printNsh(c, at, length);
    return;
  }
  if (type === 0x8864 && printPppoeSession(c, at, length)) return;
  const name = ETHERTYPE_NAMES[type] ?? 'Unknown';
  c.out += macs
    ? `${macs}, ethertype ${name} (0x${type.toString(16).padStart(4, '0')}), length ${shownLength}`
    : `ethertype ${name} (0x${type.toString(16).padStart(4, '0')}), length ${length}`;
}

/**
 * A PPPoE session frame (RFC 2516) carrying IPv4 or IPv6 over PPP, as print-pppoe.c prints it
 * without -e: `PPPoE  [ses 0x1] ` then the IP packet. False for anything else (the caller prints
 * the ethertype line): DSL access links carry all their IP this way.
 */
function printPppoeSession(c: PrintContext, at: number, length: number): boolean {
  if (length < 8 || c.snapEnd - at < 8 || u8(c, at) !== 0x11 || u8(c, at + 1) !== 0) return false;
  const session = u16(c, at + 2);
  const payload = Math.min(u16(c, at + 4), length - 6);
  const protocol = u16(c, at + 6);
  if (protocol !== 0x0021 && protocol !== 0x0057) return false;
  c.protocol = 'pppoe';
  c.out += `PPPoE  [ses 0x${session.toString(16)}] `;
  if (protocol === 0x0021) printIpv4(c, at + 8, payload - 2);
  else printIpv6(c, at + 8, payload - 2);
  return true;
}

/** Network Service Header (RFC 8300) at -v, then the packet it carries (print-nsh.c). */
function printNsh(c: PrintContext, at: number, length: number): void {
  c.protocol = 'nsh';
  if (length < 8) throw new Truncation(c.protocol);
  const first = u8(c, at);
  const words = u8(c, at + 1) & 0x3f;
  const next = u8(c, at + 3);
  const flags = `${first & 0x20 ? 'O' : ''}${first & 0x10 ? 'C' : ''}` || 'none';
  c.out += `NSH, flags [${flags}], service-path-id 0x${((u16(c, at + 4) << 8) | u8(c, at + 6)).toString(16).padStart(6, '0')}, service-index 0x${u8(c, at + 7).toString(16)}`;
  if (length < words * 4 || words < 2) throw new Truncation(c.protocol);
  if (c.snapEnd - at < words * 4) throw new Truncation(c.protocol);
  c.out += '\n    ';
  const inner = at + words * 4;
  const innerLength = length - words * 4;
  if (next === 1) printIpv4(c, inner, innerLength);
  else if (next === 2) printIpv6(c, inner, innerLength);
  else if (next === 3) printEthernet(c, inner, innerLength);
  else c.out += 'ERROR: unknown-next-protocol';
}

const ARP_HARDWARE_NAMES: Record<number, string> = { 1: 'Ethernet', 6: 'Token Ring' };

/** ARP as tcpdump -v prints it (print-arp.c): hardware and protocol types, then the operation. */
function printArp(c: PrintContext, at: number, length: number): void {
  c.protocol = 'arp';
  const hardware = u16(c, at);
  const protocol = u16(c, at + 2);
  const hlen = u8(c, at + 4);
  const plen = u8(c, at + 5);
  const op = u16(c, at + 6);
  c.out += `ARP, ${ARP_HARDWARE_NAMES[hardware] ?? `Unknown Hardware (${hardware})`} (len ${hlen}), ${protocol === 0x0800 ? 'IPv4' : `Unknown Protocol (0x${protocol.toString(16).padStart(4, '0')})`} (len ${plen}), `;
  if (protocol !== 0x0800 || plen !== 4 || hlen !== 6) {
    c.out += `operation ${op}, length ${length}`;
    return;
  }
  if (c.snapEnd - at < 28) throw new Truncation(c.protocol);
  const senderMac = macText(c.data, at + 8);
  const senderIp = ipv4Text(c.data, at + 14);
  const targetIp = ipv4Text(c.data, at + 24);
  const targetMacSet = c.data.subarray(at + 18, at + 24).some((b) => b !== 0);
  if (op === 1)
    c.out += `Request who-has ${targetIp}${targetMacSet ? ` (${macText(c.data, at + 18)})` : ''} tell ${senderIp}, length ${length}`;
  else if (op === 2) c.out += `Reply ${senderIp} is-at ${senderMac}, length ${length}`;
  else c.out += `Unknown (${op}), length ${length}`;
}

const MPLS_LABEL_NAMES: Record<number, string> = {
  0: 'IPv4 explicit NULL',
  1: 'router alert',
  2: 'IPv6 explicit NULL',
  3: 'implicit NULL',
};

/** MPLS label stack, then the payload tcpdump guesses from the last label or first byte (print-mpls.c). */
function printMpls(c: PrintContext, at: number, length: number): void {
  c.protocol = 'mpls';
  c.out += 'MPLS';
  let depth = 0;
  let entry: number;
  do {
    if (length < 4) {
      c.out += ' (invalid)';
      if (c.snapEnd - at < length) throw new Truncation(c.protocol);
      return;
    }
    entry = u32(c, at);
    const label = entry >>> 12;
    c.out += `${depth ? '\n\t' : ' '}(label ${label}`;
    depth++;
    if (label in MPLS_LABEL_NAMES) c.out += ` (${MPLS_LABEL_NAMES[label]})`;
    c.out += `, tc ${(entry >>> 9) & 7}`;
    if (entry & 0x100) c.out += ', [S]';
    c.out += `, ttl ${entry & 0xff})`;
    at += 4;
    length -= 4;
  } while (!(entry & 0x100));
  const label = entry >>> 12;
  let family: 4 | 6 | undefined;
  if (label === 0 || label === 3) family = 4;
  else if (label === 2) family = 6;
  else {
    if (length < 1) return;
    const first = u8(c, at);
    family = first >= 0x45 && first <= 0x4f ? 4 : first >= 0x60 && first <= 0x6f ? 6 : undefined;
  }
  if (family === undefined) return;
  c.out += '\n\t';
  if (family === 4) printIpv4(c, at, length);
  else printIpv6(c, at, length);
}

function printBsdLoopback(c: PrintContext, length: number): void {
  c.protocol = 'null';
  if (c.snapEnd < 4) throw new Truncation(c.protocol);
  // The family is in the capturing host's byte order (DLT_NULL) or network order (DLT_LOOP);
  // tcpdump reads it little-endian and swaps when the upper half is set.
  let family = (c.data[0] | (c.data[1] << 8) | (c.data[2] << 16) | (c.data[3] << 24)) >>> 0;
  if (family & 0xffff0000)
    family = (((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >>> 8) & 0xff00) | (family >>> 24)) >>> 0;
  if (family === 2) printIpv4(c, 4, length - 4);
  else if (family === 24 || family === 28 || family === 30) printIpv6(c, 4, length - 4);
  else c.out += `AF Unknown (${family}), length ${length}`;
}

const SLL_PACKET_TYPES: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

function printLinuxCooked(c: PrintContext, length: number): void {
  c.protocol = 'sll';
  if (c.snapEnd < 16) throw new Truncation(c.protocol);
  printCookedPayload(c, u16(c, 14), 16, length - 16);
}

function printLinuxCooked2(c: PrintContext, length: number): void {
  c.protocol = 'sll2';
  if (c.snapEnd < 20) throw new Truncation(c.protocol);
  // tcpdump names the interface with if_indextoname() on the reading host; a pure decoder cannot,
  // so it prints the index as `ifN` (which the text parser reads as an interface name).
  const ifindex = ((c.data[4] << 24) | (c.data[5] << 16) | (c.data[6] << 8) | c.data[7]) >>> 0;
  c.out += `${`if${ifindex}`.padEnd(5)} ${(SLL_PACKET_TYPES[c.data[10]] ?? '?').padEnd(3)} `;
  printCookedPayload(c, u16(c, 0), 20, length - 20);
}

function printCookedPayload(c: PrintContext, type: number, at: number, length: number): void {
  while (type === 0x8100) {
    c.protocol = 'vlan';
    if (c.snapEnd - at < 4) throw new Truncation(c.protocol);
    type = u16(c, at + 2);
    if (type <= 1500) type = 4; // LINUX_SLL_P_802_2
    c.out += `ethertype ${ETHERTYPE_NAMES[type] ?? 'Unknown'}, `;
    at += 4;
    length -= 4;
  }
  if (type <= 1500) {
    c.out += `802.2/802.3 frame, length ${length}`;
    return;
  }
  printEthertype(c, type, at, length);
}

/** PPP protocol numbers that carry IP (RFC 1332, RFC 5072). */
function printPppProtocol(c: PrintContext, protocol: number, at: number, length: number): void {
  if (protocol === 0x0021) printIpv4(c, at, length);
  else if (protocol === 0x0281 || protocol === 0x0283) printMpls(c, at, length);
  else if (protocol === 0x0057) printIpv6(c, at, length);
  else c.out += `PPP, protocol 0x${protocol.toString(16).padStart(4, '0')}, length ${length}`;
}

function printPpp(c: PrintContext, length: number): void {
  c.protocol = 'ppp';
  let at = 0;
  if (u8(c, 0) === 0xff && u8(c, 1) === 0x03) at = 2;
  let protocol = u8(c, at);
  // Protocol-field compression: an odd first byte is a one-byte protocol number.
  if (protocol & 1) at += 1;
  else {
    protocol = u16(c, at);
    at += 2;
  }
  printPppProtocol(c, protocol, at, length - at);
}

function printCiscoHdlc(c: PrintContext, length: number): void {
  c.protocol = 'chdlc';
  const type = u16(c, 2);
  if (type === 0x0800) printIpv4(c, 4, length - 4);
  else if (type === 0x86dd) printIpv6(c, 4, length - 4);
  else c.out += `chdlc, ethertype 0x${type.toString(16).padStart(4, '0')}, length ${length}`;
}
