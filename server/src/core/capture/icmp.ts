import { checksumShouldBe, fold, sumRange } from './checksum';
import { printIpv4 } from './ip';
import { PrintContext, has, hex, u16, u32, u8, v4 } from './printContext';

/* ICMP (print-icmp.c); error messages quote the offending IPv4 header, printed again by ip.ts. */

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

export function printIcmp(c: PrintContext, at: number, length: number, fragmented: boolean): void {
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
