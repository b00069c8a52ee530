import { checksumShouldBe, transportChecksum } from './checksum';
import { PrintContext, Truncation, endpoints, has, headerProto, hex, u16, u32, u8 } from './printContext';

/* TCP header and options (print-tcp.c), with seq/ack relative to the conversation's first packet. */

const TCP_FLAG_LETTERS: [number, string][] = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];
/** `Flags [...]` text by flag byte, built once: it is printed for every TCP packet. */
const TCP_FLAGS_TEXT: string[] = Array.from(
  { length: 256 },
  (_, flags) =>
    TCP_FLAG_LETTERS.filter(([bit]) => flags & bit)
      .map(([, l]) => l)
      .join('') || 'none',
);
const TCP_OPTION_NAMES: Record<number, string> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  11: 'cc',
  12: 'ccnew',
  13: '',
  19: 'md5',
  20: 'scps',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
  254: 'exp',
};

export function printTcp(
  c: PrintContext,
  at: number,
  length: number,
  ip: number,
  version: 4 | 6,
  fragmented: boolean,
): void {
  c.protocol = 'tcp';
  const [src, dst] = endpoints(c, ip, version);
  if (!has(c, at + 2, 2)) {
    c.out += `${src} > ${dst}:`;
    throw new Truncation(c.protocol);
  }
  const sport = u16(c, at);
  const dport = u16(c, at + 2);
  c.out += headerProto(c, ip, version) === 6 ? `${src}.${sport} > ${dst}.${dport}: ` : `${sport} > ${dport}: `;
  if (!has(c, at, 20)) throw new Truncation(c.protocol);
  let hlen = (u8(c, at + 12) >> 4) * 4;
  if (hlen < 20) {
    c.out += ` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  let seq = u32(c, at + 4);
  let ack = u32(c, at + 8);
  const win = u16(c, at + 14);
  const urp = u16(c, at + 18);
  const flags = u8(c, at + 13);
  c.out += `Flags [${TCP_FLAGS_TEXT[flags]}]`;

  let thSeq = 0;
  let thAck = 0;
  let reversed = false;
  if (flags & 0x10) {
    // One entry per conversation, both directions, keyed in tcpdump's collating order.
    const addrLength = version === 4 ? 4 : 16;
    const srcAt = version === 4 ? ip + 12 : ip + 8;
    const dstAt = srcAt + addrLength;
    if (sport > dport) reversed = true;
    else if (sport === dport) {
      for (let i = 0; i < addrLength; i++) {
        const d = c.data[srcAt + i] - c.data[dstAt + i];
        if (d !== 0) {
          reversed = d > 0;
          break;
        }
      }
    }
    // The address texts already printed name the addresses one to one (dotted quads, inet_ntop):
    // no need to spell the bytes out again for the key.
    const key = reversed ? `${version}|${dst}|${src}|${dport}|${sport}` : `${version}|${src}|${dst}|${sport}|${dport}`;
    let entry = c.tcp.get(key);
    if (!entry || flags & 0x02) {
      entry = reversed ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
      c.tcp.set(key, entry);
    } else if (reversed) {
      seq = (seq - entry.ack) >>> 0;
      ack = (ack - entry.seq) >>> 0;
    } else {
      seq = (seq - entry.seq) >>> 0;
      ack = (ack - entry.ack) >>> 0;
    }
    thSeq = entry.seq;
    thAck = entry.ack;
  }
  if (hlen > length) {
    c.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  if (!fragmented && has(c, at, length)) {
    const sum = transportChecksum(c, ip, version, at, length, 6);
    const stored = u16(c, at + 16);
    c.out += `, cksum 0x${hex(stored, 4)}`;
    c.out += sum !== 0 ? ` (incorrect -> 0x${hex(checksumShouldBe(stored, sum), 4)})` : ' (correct)';
  }
  const payload = length - hlen;
  if (payload > 0 || flags & 0x07) {
    c.out += `, seq ${seq}`;
    if (payload > 0) c.out += `:${(seq + payload) >>> 0}`;
  }
  if (flags & 0x10) c.out += `, ack ${ack}`;
  c.out += `, win ${win}`;
  if (flags & 0x20) c.out += `, urg ${urp}`;
  if (hlen > 20) {
    if (!printTcpOptions(c, at + 20, hlen - 20, reversed ? thSeq : thAck)) return;
  }
  c.out += `, length ${payload}`;
  hlen = (u8(c, at + 12) >> 4) * 4;
  if (payload > 0 && !has(c, at, hlen)) {
    c.out += ` [remaining caplen(${Math.max(0, c.snapEnd - at)}) < header length(${hlen})]`;
    throw new Truncation(c.protocol);
  }
}

/** Prints `, options [...]`; false when tcpdump gave up on a bad option (then nothing follows). */
function printTcpOptions(c: PrintContext, at: number, hlen: number, sackBase: number): boolean {
  c.out += ', options [';
  let separator = '';
  while (hlen > 0) {
    c.out += separator;
    const opt = u8(c, at++);
    let len = 1;
    if (opt !== 0 && opt !== 1) {
      len = u8(c, at++);
      if (len < 2 || len > hlen) return badOption();
      hlen--;
    }
    hlen--;
    let dataLength = 0;
    const need = (n: number): boolean => {
      if (n > hlen) return false;
      if (!has(c, at, n)) throw new Truncation(c.protocol);
      return true;
    };
    c.out += TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`;
    switch (opt) {
      case 2:
        dataLength = 2;
        if (!need(2)) return badOption();
        c.out += ` ${u16(c, at)}`;
        break;
      case 3:
        dataLength = 1;
        if (!need(1)) return badOption();
        c.out += ` ${u8(c, at)}`;
        break;
      case 5:
        dataLength = len - 2;
        if (dataLength % 8 !== 0) c.out += ' invalid sack';
        else {
          c.out += ` ${dataLength / 8} `;
          for (let i = 0; i < dataLength; i += 8) {
            if (!need(i + 8)) return badOption();
            c.out += `{${(u32(c, at + i) - sackBase) >>> 0}:${(u32(c, at + i + 4) - sackBase) >>> 0}}`;
          }
        }
        break;
      case 8:
        dataLength = 8;
        if (!need(8)) return badOption();
        c.out += ` val ${u32(c, at)} ecr ${u32(c, at + 4)}`;
        break;
      case 0:
      case 1:
      case 4:
        break;
      default:
        dataLength = len - 2;
        if (dataLength) c.out += ' 0x';
        for (let i = 0; i < dataLength; i++) {
          if (!need(i + 1)) return badOption();
          c.out += hex(u8(c, at + i), 2);
        }
        break;
    }
    at += dataLength;
    hlen -= dataLength;
    const counted = dataLength + (opt === 0 || opt === 1 ? 1 : 2);
    if (counted !== len) c.out += `[len ${len}]`;
    separator = ',';
    if (opt === 0) break;
  }
  c.out += ']';
  return true;

  function badOption(): false {
    c.out += '[bad opt]]';
    return false;
  }
}
