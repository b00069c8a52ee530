import { printIpPayload } from './ipDemux';
import { IP_PROTO_NAMES } from './ipproto';
import { PrintContext, Truncation, enterLayer, has, hex, u16, u32, u8, v6 } from './printContext';

/*
 * IPv6 header and extension headers (print-ip6.c, print-ip6opts.c, and the fragment, routing and
 * mobility headers). The upper layer goes to ipDemux.ts, which may come back here for IPv6-in-IP.
 */

export function printIpv6(c: PrintContext, at: number, length: number): void {
  c.protocol = 'ip6';
  enterLayer(c, c.protocol);
  if (!has(c, at, 40)) throw new Truncation(c.protocol);
  if (length < 40) {
    c.out += `truncated-ip6 ${length}`;
    return;
  }
  c.out += 'IP6 ';
  const version = c.data[at] >> 4;
  if (version !== 6) {
    c.out += `version error: ${version} != 6`;
    return;
  }
  let payloadLength = u16(c, at + 4);
  let len: number;
  if (payloadLength !== 0) {
    len = payloadLength + 40;
    if (length < len) c.out += `truncated-ip6 - ${len - length} bytes missing!`;
  } else {
    len = length + 40;
  }
  let nh = u8(c, at + 6);
  const flow = u32(c, at);
  c.out += '(';
  if (flow & 0x0ff00000) c.out += `class 0x${hex((flow & 0x0ff00000) >>> 20, 2)}, `;
  if (flow & 0x000fffff) c.out += `flowlabel 0x${hex(flow & 0x000fffff, 5)}, `;
  c.out += `hlim ${u8(c, at + 7)}, next-header ${IP_PROTO_NAMES[nh] ?? 'unknown'} (${nh}) payload length: ${payloadLength}) `;

  const savedSnapEnd = c.snapEnd;
  c.snapEnd = Math.min(c.snapEnd, at + len);
  let cp = at;
  let advance = 40;
  let totalAdvance = 0;
  let fragmented = false;
  let foundExtension = false;
  let foundJumbo = false;
  let foundHopByHop = false;
  let previous = 255;
  while (cp < c.snapEnd && advance > 0) {
    if (len < advance) throw new Truncation(c.protocol);
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === at + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      c.out += `${v6(c, at + 8)} > ${v6(c, at + 24)}: `;
    }
    switch (nh) {
      case 0: {
        // hop-by-hop options: must come first, may carry a jumbo payload length
        if (foundHopByHop || previous !== 255) {
          c.out += foundHopByHop
            ? '[The Hop-by-Hop Options header was already found] (invalid)'
            : "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        c.out += 'HBH ';
        const r = printIpv6Options(c, cp, payloadLength);
        advance = r.advance;
        if (r.jumbo !== undefined) {
          foundJumbo = true;
          payloadLength = r.jumbo;
        }
        if (payloadLength === 0 && !foundJumbo) {
          c.out += '[No valid Jumbo Payload Hop-by-Hop option found] (invalid)';
          return;
        }
        foundExtension = true;
        foundHopByHop = true;
        nh = u8(c, cp);
        break;
      }
      case 60: // destination options
        c.out += 'DSTOPT ';
        advance = printIpv6Options(c, cp, -1).advance;
        foundExtension = true;
        nh = u8(c, cp);
        break;
      case 44: {
        // fragment: only the first fragment carries the upper-layer header
        const offsetField = u16(c, cp + 2);
        c.out += `frag (0x${hex(u32(c, cp + 4), 8)}:${offsetField & 0xfff8}|${40 + u16(c, at + 4) - (cp - at) - 8})`;
        if ((offsetField & 0xfff8) !== 0) {
          c.snapEnd = savedSnapEnd;
          return;
        }
        c.out += ' ';
        advance = 8;
        if (c.snapEnd <= cp + advance) {
          c.snapEnd = savedSnapEnd;
          return;
        }
        foundExtension = true;
        nh = u8(c, cp);
        fragmented = true;
        break;
      }
      case 43: {
        // routing
        const segLeft = u8(c, cp + 3);
        const type = u8(c, cp + 2);
        advance = (u8(c, cp + 1) + 1) * 8;
        c.out += `srcrt (len=${u8(c, cp + 1)}, type=${type}, segleft=${segLeft}`;
        if (type === 0 || type === 2) {
          for (let a = cp + 8; a + 16 <= cp + advance; a += 16) c.out += `, [${(a - cp - 8) / 16}]${v6(c, a)}`;
        }
        c.out += ') ';
        foundExtension = true;
        nh = u8(c, cp);
        break;
      }
      case 135:
      case 62: // mobility: tcpdump prints it and stops
        c.out += `mobility: type-#${u8(c, cp + 2)}`;
        c.snapEnd = savedSnapEnd;
        return;
      default: {
        if (foundJumbo) {
          len = payloadLength + 40;
          if (len < totalAdvance) throw new Truncation(c.protocol);
          if (length < len) c.out += `truncated-ip6 - ${len - length} bytes missing!`;
          c.snapEnd = Math.min(savedSnapEnd, at + len);
          len -= totalAdvance;
        } else if (payloadLength === 0) {
          if (foundExtension) throw new Truncation(c.protocol);
          len = 0;
          c.snapEnd = Math.min(savedSnapEnd, at + 40);
        }
        printIpPayload(c, cp, len, 6, fragmented, nh, at);
        c.snapEnd = savedSnapEnd;
        return;
      }
    }
    previous = nh;
    c.protocol = 'ip6';
  }
  c.snapEnd = savedSnapEnd;
}

/** Hop-by-hop / destination options (print-ip6opts.c); returns the header length. */
function printIpv6Options(c: PrintContext, at: number, payloadLength: number): { advance: number; jumbo?: number } {
  const advance = (u8(c, at + 1) + 1) * 8;
  if (!has(c, at, advance)) throw new Truncation(c.protocol);
  let jumbo: number | undefined;
  for (let i = at + 2; i < at + advance;) {
    const type = c.data[i];
    if (type === 0) {
      c.out += '(pad1)';
      i++;
      continue;
    }
    if (i + 2 > at + advance) {
      c.out += `(type ${type}: trunc)`;
      break;
    }
    const optLength = c.data[i + 1] + 2;
    if (type === 1) c.out += '(padn)';
    else if (type === 5)
      c.out += optLength === 4 ? `(rtalert: 0x${hex(u16(c, i + 2), 4)}) ` : `(rtalert: invalid len ${optLength - 2})`;
    else if (type === 0xc2 && optLength === 6) {
      const value = u32(c, i + 2);
      if (payloadLength === 0 && value >= 65536) jumbo = value;
      c.out +=
        payloadLength < 0
          ? `(jumbo: ${value} - not a hop-by-hop option) `
          : payloadLength !== 0
            ? `(jumbo: ${value} - payload len != 0) `
            : value < 65536
              ? `(jumbo: ${value} - < 65536) `
              : `(jumbo: ${value}) `;
    } else c.out += `(opt_type 0x${hex(type, 2)}: len=${optLength - 2})`;
    i += optLength;
  }
  c.out += ' ';
  return { advance, jumbo };
}
