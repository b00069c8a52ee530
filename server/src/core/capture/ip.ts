import { ipv4Text } from './address';
import { checksumShouldBe, fold, sumRange } from './checksum';
import { printIpPayload } from './ipDemux';
import { IP_PROTO_NAMES } from './ipproto';
import { PrintContext, Truncation, enterLayer, has, hex, u16, u32, u8, v4 } from './printContext';

/* IPv4 header and options (print-ip.c). The payload goes to ipDemux.ts, which may come back here for IP-in-IP. */

const IP_OPTION_NAMES: Record<number, string> = {
  0: 'EOL',
  1: 'NOP',
  68: 'timestamp',
  130: 'security',
  7: 'RR',
  137: 'SSRR',
  131: 'LSRR',
  148: 'RA',
};

export function printIpv4(c: PrintContext, at: number, length: number): void {
  c.protocol = 'ip';
  enterLayer(c, c.protocol);
  const version = u8(c, at) >> 4;
  if (version !== 4) {
    c.out += version === 6 ? 'IP6, wrong link-layer encapsulation (invalid)' : `IP${version} (invalid)`;
    return;
  }
  c.out += 'IP ';
  if (!has(c, at, 20)) throw new Truncation(c.protocol);
  if (length < 20) {
    c.out += `truncated-ip ${length}`;
    return;
  }
  const hlen = (c.data[at] & 0x0f) * 4;
  if (hlen < 20) {
    c.out += `bad-hlen ${hlen}`;
    return;
  }
  let len = u16(c, at + 2);
  if (length < len) c.out += `truncated-ip - ${len - length} bytes missing! `;
  if (len < hlen) {
    c.out += `bad-len ${len}`;
    return;
  }

  const savedSnapEnd = c.snapEnd;
  c.snapEnd = Math.min(c.snapEnd, at + len);
  len -= hlen;
  const off = u16(c, at + 6);
  const proto = u8(c, at + 9);
  const tos = u8(c, at + 1);
  const ttl = u8(c, at + 8);

  c.out += `(tos 0x${hex(tos)}${['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3]}`;
  if (ttl >= 1) c.out += `, ttl ${ttl}`;
  const fragFlags = [off & 0x2000 ? '+' : '', off & 0x4000 ? 'DF' : '', off & 0x8000 ? 'rsvd' : '']
    .filter(Boolean)
    .join(', ');
  c.out += `, id ${u16(c, at + 4)}, offset ${(off & 0x1fff) * 8}, flags [${fragFlags || 'none'}]`;
  c.out += `, proto ${IP_PROTO_NAMES[proto] ?? 'unknown'} (${proto}), length ${u16(c, at + 2)}`;
  let optionsTruncated = false;
  if (hlen > 20) {
    c.out += ', options (';
    optionsTruncated = !printIpOptions(c, at + 20, hlen - 20);
    if (optionsTruncated) c.out += ' [truncated-option]';
    c.out += ')';
  }
  if (has(c, at, hlen)) {
    const sum = fold(sumRange(c, at, hlen, 0));
    if (sum !== 0) {
      const stored = u16(c, at + 10);
      c.out += `, bad cksum ${hex(stored)} (->${hex(checksumShouldBe(stored, sum))})!`;
    }
  }
  c.out += ')\n    ';

  const src = v4(c, at + 12);
  const dst = v4(c, at + 16);
  if (optionsTruncated) {
    c.out += `${src} > ${dst}: `;
    throw new Truncation(c.protocol);
  }
  if ((off & 0x1fff) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) c.out += `${src} > ${dst}: `;
    if (!has(c, at, hlen)) {
      c.out += ` [remaining caplen(${Math.max(0, c.snapEnd - at)}) < header length(${hlen})]`;
      throw new Truncation(c.protocol);
    }
    printIpPayload(c, at + hlen, len, 4, (off & 0x2000) !== 0, proto, at);
  } else {
    c.out += `${src} > ${dst}: ip-proto-${proto}`;
  }
  c.snapEnd = savedSnapEnd;
}

/** ip_optprint: false when the options ran past the captured bytes (tcpdump: `[truncated-option]`). */
function printIpOptions(c: PrintContext, at: number, length: number): boolean {
  let sep = '';
  while (length > 0) {
    c.out += sep;
    sep = ',';
    const code = u8(c, at);
    c.out += IP_OPTION_NAMES[code] ?? `unknown ${code}`;
    let optionLength = 1;
    if (code !== 0 && code !== 1) {
      optionLength = u8(c, at + 1);
      if (optionLength < 2) {
        c.out += ` [bad length ${optionLength}]`;
        return true;
      }
    }
    if (optionLength > length) {
      c.out += ` [bad length ${optionLength}]`;
      return true;
    }
    if (!has(c, at, optionLength)) return false;
    if (code === 0) return true;
    if (code === 68 && !printIpTimestampOption(c, at, optionLength)) return false;
    if ((code === 7 || code === 131 || code === 137) && !printIpRouteOption(c, at, optionLength)) return false;
    if (code === 148) {
      if (optionLength < 4) c.out += ` [bad length ${optionLength}]`;
      else if (u16(c, at + 2) !== 0) c.out += ` value ${u16(c, at + 2)}`;
    }
    at += optionLength;
    length -= optionLength;
  }
  return true;
}

/** Record route / source route options (tcpdump's ip_printroute). */
function printIpRouteOption(c: PrintContext, at: number, length: number): boolean {
  if (length < 3) {
    c.out += ` [bad length ${length}]`;
    return true;
  }
  if ((length + 1) & 3) c.out += ` [bad length ${length}]`;
  const ptr = u8(c, at + 2) - 1;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) c.out += ` [bad ptr ${u8(c, at + 2)}]`;
  for (let len = 3; len < length; len += 4) {
    if (!has(c, at + len, 4)) return false;
    c.out += ` ${ipv4Text(c.data, at + len)}`;
    if (ptr > len) c.out += ',';
  }
  return true;
}

/** Timestamp option (tcpdump's ip_printts). */
function printIpTimestampOption(c: PrintContext, at: number, length: number): boolean {
  if (length < 4) {
    c.out += `[bad length ${length}]`;
    return true;
  }
  c.out += ' TS{';
  const flag = u8(c, at + 3);
  const hopLength = (flag & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hopLength - 1)) c.out += `[bad length ${length}]`;
  const ptr = u8(c, at + 2) - 1;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hopLength - 1) || ptr > length + 1) c.out += `[bad ptr ${u8(c, at + 2)}]`;
  const kind = flag & 0xf;
  if (kind === 0 || kind === 1 || kind === 3) {
    c.out += kind === 0 ? 'TSONLY' : kind === 1 ? 'TS+ADDR' : 'PRESPEC';
    let type = ' ';
    for (len = 4; len < length; len += hopLength) {
      if (ptr === len) type = ' ^ ';
      if (!has(c, at + len, hopLength)) return false;
      c.out += `${type}${u32(c, at + len + hopLength - 4)}@${hopLength !== 8 ? '' : ipv4Text(c.data, at + len)}`;
      type = ' ';
    }
  } else {
    c.out += `[bad ts type ${kind}]`;
  }
  c.out += ptr === len ? ' ^ ' : '';
  c.out += flag >> 4 ? ` [${flag >> 4} hops not recorded]} ` : '}';
  return true;
}
