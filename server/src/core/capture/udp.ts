import { checksumShouldBe, transportChecksum } from './checksum';
import { PrintContext, Truncation, endpoints, has, headerProto, hex, u16, u32, u8 } from './printContext';

/* UDP header (print-udp.c), and the VXLAN/OTV tunnels it hands to the Ethernet printer (print-vxlan.c, print-otv.c). */

export function printUdp(
  c: PrintContext,
  at: number,
  length: number,
  ip: number,
  version: 4 | 6,
  fragmented: boolean,
): void {
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
