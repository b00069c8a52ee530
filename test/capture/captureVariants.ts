import { readCaptureContainer, type CapturedFrame } from '../../server/src/core/capture';

/*
 * Rewrites of a real Ethernet pcap into the other containers, byte orders, timestamp precisions
 * and link types the decoder must read. The packets stay the real ones; only their wrapping
 * changes, the way the capturing system would have written it. The real tcpdump then prints
 * every variant, so each is checked against tcpdump, never against what we expect it to say.
 */

export interface PcapRecord {
  seconds: number;
  /** Fraction of the second in the file's unit (µs or ns). */
  fraction: number;
  originalLength: number;
  data: Uint8Array;
}

function u16(v: number, little: boolean): Uint8Array {
  const b = Buffer.alloc(2);
  if (little) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}
function u32(v: number, little: boolean): Uint8Array {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

/** A classic pcap file: either byte order, µs or ns magic. */
export function writePcap(
  linkType: number,
  records: readonly PcapRecord[],
  opts: { littleEndian: boolean; nano: boolean; snapLength?: number },
): Uint8Array {
  const le = opts.littleEndian;
  const parts: Uint8Array[] = [
    u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(2, le),
    u16(4, le),
    u32(0, le),
    u32(0, le),
    u32(opts.snapLength ?? 262144, le),
    u32(linkType, le),
  ];
  for (const r of records)
    parts.push(u32(r.seconds, le), u32(r.fraction, le), u32(r.data.length, le), u32(r.originalLength, le), r.data);
  return Buffer.concat(parts);
}

/** The frames of a real Ethernet capture, with microsecond fractions. */
export function ethernetFrames(bytes: Uint8Array): CapturedFrame[] {
  const c = readCaptureContainer(bytes);
  if (c.warnings.length > 0 || c.frames.some((f) => f.linkType !== 1))
    throw new Error(`expected a clean Ethernet capture: ${c.warnings.join('; ')}`);
  return c.frames;
}

const ETHERTYPE_AT = 12;
const ethertype = (f: CapturedFrame): number => (f.data[ETHERTYPE_AT] << 8) | f.data[ETHERTYPE_AT + 1];
const isIp = (f: CapturedFrame): boolean => ethertype(f) === 0x0800 || ethertype(f) === 0x86dd;

/** Each frame with an 802.1Q tag (VLAN 100, priority 3) inserted after the MAC addresses. */
export function withVlanTag(frames: readonly CapturedFrame[]): PcapRecord[] {
  return frames.map((f) => {
    const tag = Uint8Array.of(0x81, 0x00, 0x60, 100);
    const data = Buffer.concat([f.data.subarray(0, 12), tag, f.data.subarray(12)]);
    return { seconds: f.seconds, fraction: f.micros, originalLength: f.originalLength + 4, data };
  });
}

/** The IP packets alone (LINKTYPE_RAW): what a tun interface or a raw-IP capture holds. */
export function asRawIp(frames: readonly CapturedFrame[]): PcapRecord[] {
  return frames.filter(isIp).map((f) => ({
    seconds: f.seconds,
    fraction: f.micros,
    originalLength: f.originalLength - 14,
    data: f.data.subarray(14),
  }));
}

/**
 * BSD loopback (LINKTYPE_NULL): a 4-byte address family in the capturing host's byte order.
 * IPv6's AF_INET6 differs per BSD (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS): all three are used.
 */
export function asBsdLoopback(frames: readonly CapturedFrame[], hostLittleEndian: boolean): PcapRecord[] {
  const v6Families = [24, 28, 30];
  return frames.filter(isIp).map((f, i) => {
    const family = ethertype(f) === 0x0800 ? 2 : v6Families[i % 3];
    const data = Buffer.concat([u32(family, hostLittleEndian), f.data.subarray(14)]);
    return { seconds: f.seconds, fraction: f.micros, originalLength: f.originalLength - 10, data };
  });
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL): packet type, ARPHRD_ETHER, the sender's MAC, protocol. */
export function asLinuxCooked(frames: readonly CapturedFrame[]): PcapRecord[] {
  return frames.map((f, i) => {
    const header = Buffer.concat([
      u16(i % 2 === 0 ? 4 : 0, false),
      u16(1, false),
      u16(6, false),
      f.data.subarray(6, 12),
      Uint8Array.of(0, 0),
      f.data.subarray(12, 14),
    ]);
    return {
      seconds: f.seconds,
      fraction: f.micros,
      originalLength: f.originalLength + 2,
      data: Buffer.concat([header, f.data.subarray(14)]),
    };
  });
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2): protocol, interface index, ARPHRD_ETHER, packet type, MAC. */
export function asLinuxCooked2(frames: readonly CapturedFrame[], ifindex: number): PcapRecord[] {
  return frames.map((f, i) => {
    const header = Buffer.concat([
      f.data.subarray(12, 14),
      u16(0, false),
      u32(ifindex, false),
      u16(1, false),
      Uint8Array.of(i % 2 === 0 ? 4 : 0, 6),
      f.data.subarray(6, 12),
      Uint8Array.of(0, 0),
    ]);
    return {
      seconds: f.seconds,
      fraction: f.micros,
      originalLength: f.originalLength + 6,
      data: Buffer.concat([header, f.data.subarray(14)]),
    };
  });
}

function pad4(b: Uint8Array): Uint8Array {
  const extra = (4 - (b.length % 4)) % 4;
  return extra ? Buffer.concat([b, Buffer.alloc(extra)]) : b;
}
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = pad4(body);
  const length = padded.length + 12;
  return Buffer.concat([u32(type, le), u32(length, le), padded, u32(length, le)]);
}

export interface PcapngInterfaceSpec {
  linkType: number;
  /** if_tsresol: 6 for µs, 9 for ns. */
  resolution: 6 | 9;
  records: PcapRecord[];
}

/**
 * A pcapng section with several interfaces, their packets interleaved by time in Enhanced Packet
 * Blocks. Record fractions are µs; interfaces at ns resolution get them scaled.
 */
export function writePcapng(interfaces: readonly PcapngInterfaceSpec[], littleEndian: boolean): Uint8Array {
  const le = littleEndian;
  const parts: Uint8Array[] = [];
  // Section header: byte-order magic, version 1.0, section length unknown (-1).
  parts.push(
    block(
      0x0a0d0d0a,
      Buffer.concat([u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), u32(0xffffffff, le), u32(0xffffffff, le)]),
      le,
    ),
  );
  interfaces.forEach((iface) => {
    const tsresol = Buffer.concat([u16(9, le), u16(1, le), Uint8Array.of(iface.resolution, 0, 0, 0)]);
    const end = Buffer.concat([u16(0, le), u16(0, le)]);
    parts.push(block(1, Buffer.concat([u16(iface.linkType, le), u16(0, le), u32(262144, le), tsresol, end]), le));
  });
  const all = interfaces.flatMap((iface, id) =>
    iface.records.map((r) => ({ id, r, unitsPerMicro: iface.resolution === 9 ? 1000n : 1n })),
  );
  all.sort((a, b) => a.r.seconds - b.r.seconds || a.r.fraction - b.r.fraction || a.id - b.id);
  for (const { id, r, unitsPerMicro } of all) {
    const units = (BigInt(r.seconds) * 1000000n + BigInt(r.fraction)) * unitsPerMicro;
    const body = Buffer.concat([
      u32(id, le),
      u32(Number(units >> 32n), le),
      u32(Number(units & 0xffffffffn), le),
      u32(r.data.length, le),
      u32(r.originalLength, le),
      pad4(r.data),
    ]);
    parts.push(block(6, body, le));
  }
  return Buffer.concat(parts);
}

/** Records of real frames with µs fractions, unchanged. */
export function asRecords(frames: readonly CapturedFrame[]): PcapRecord[] {
  return frames.map((f) => ({
    seconds: f.seconds,
    fraction: f.micros,
    originalLength: f.originalLength,
    data: f.data,
  }));
}

/** The same records with nanosecond fractions (the µs value plus a sub-µs part tcpdump drops). */
export function toNano(records: readonly PcapRecord[]): PcapRecord[] {
  return records.map((r, i) => ({ ...r, fraction: r.fraction * 1000 + ((i * 137) % 1000) }));
}
