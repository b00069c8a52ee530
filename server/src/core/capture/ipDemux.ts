import { printIcmp } from './icmp';
import { printIcmp6 } from './icmp6';
import { printIpv4 } from './ip';
import { printIpv6 } from './ip6';
import { PrintContext, Truncation, has, hex, u16, u32, u8, v4, v6 } from './printContext';
import { printTcp } from './tcp';
import { printUdp } from './udp';

/*
 * The protocol after an IP header (print-ip-demux.c's ip_demux_print): AH, then TCP, UDP, ICMP,
 * ICMPv6, IP-in-IP; ESP, SCTP, DCCP, GRE, OSPF, IGMP, PIM and VRRP are named in a line here.
 */

export function printIpPayload(
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
