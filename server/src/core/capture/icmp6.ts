import { checksumShouldBe, transportChecksum } from './checksum';
import { PrintContext, Truncation, has, hex, u16, u32, u8, v6 } from './printContext';

/* ICMPv6 (print-icmp6.c): message text, neighbour-discovery options and MLDv2 records at -v. */

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

export function printIcmp6(c: PrintContext, at: number, length: number, ip: number, fragmented: boolean): void {
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
