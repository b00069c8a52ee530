/*
 * pcap / pcapng container reading: bytes → captured frames with their link type and timestamp.
 * Pure: Uint8Array in, plain data out. Damage (truncation, bad block lengths) ends the walk with a
 * warning; every frame read before it is kept.
 */

export interface CapturedFrame {
  /** 1-based frame number in file order, as tcpdump `-#` and Wireshark count. */
  number: number;
  /** LINKTYPE_* value of the frame's interface (pcap: the file header's). */
  linkType: number;
  /** Seconds since the Unix epoch (UTC). */
  seconds: number;
  /** Fraction of the second in microseconds (tcpdump's default precision: finer ones truncate). */
  micros: number;
  /** Length on the wire; `data.length` is what was captured. */
  originalLength: number;
  /** The file's or interface's snapshot length (0: none given). */
  snapLength: number;
  data: Uint8Array;
}

export interface CaptureContainer {
  format: 'pcap' | 'pcapng' | 'unknown';
  frames: CapturedFrame[];
  warnings: string[];
}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
/** Alexey Kuznetsov's patched libpcap: 8 more bytes per record header (ifindex, protocol, type). */
const PCAP_KUZNETSOV = 0xa1b2cd34;

function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function u32le(b: Uint8Array, o: number): number {
  return ((b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0;
}

/** True when the bytes start with a pcap (either byte order, µs/ns) or pcapng magic number. */
export function isBinaryCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const be = u32be(bytes, 0);
  const le = u32le(bytes, 0);
  return be === PCAPNG_SHB || [PCAP_MICRO, PCAP_NANO, PCAP_KUZNETSOV].some((m) => be === m || le === m);
}

export function readCaptureContainer(bytes: Uint8Array): CaptureContainer {
  if (bytes.length < 4) {
    return { format: 'unknown', frames: [], warnings: [`not a capture file: only ${bytes.length} bytes`] };
  }
  if (u32be(bytes, 0) === PCAPNG_SHB) return readPcapng(bytes);
  const be = u32be(bytes, 0);
  const le = u32le(bytes, 0);
  for (const magic of [PCAP_MICRO, PCAP_NANO, PCAP_KUZNETSOV]) {
    if (be === magic) return readPcap(bytes, false, magic);
    if (le === magic) return readPcap(bytes, true, magic);
  }
  return { format: 'unknown', frames: [], warnings: ['not a pcap or pcapng file (unknown magic number)'] };
}

function readPcap(bytes: Uint8Array, littleEndian: boolean, magic: number): CaptureContainer {
  const frames: CapturedFrame[] = [];
  const warnings: string[] = [];
  const u32 = littleEndian ? u32le : u32be;
  if (bytes.length < 24) {
    warnings.push(`pcap file header truncated: ${bytes.length} of 24 bytes`);
    return { format: 'pcap', frames, warnings };
  }
  // The upper bits of the link-type field carry FCS information (LT_FCS_* in libpcap).
  const linkType = u32(bytes, 20) & 0x03ffffff;
  const snapLength = u32(bytes, 16);
  const snapshot = effectiveSnapshot(snapLength);
  const nano = magic === PCAP_NANO;
  const recordHeader = magic === PCAP_KUZNETSOV ? 24 : 16;
  let at = 24;
  while (at < bytes.length) {
    if (at + recordHeader > bytes.length) {
      warnings.push(
        `pcap record header of frame ${frames.length + 1} truncated at byte ${at}: file ends after ${bytes.length - at} of ${recordHeader} bytes`,
      );
      break;
    }
    const seconds = u32(bytes, at);
    const fraction = u32(bytes, at + 4);
    const captured = u32(bytes, at + 8);
    const original = u32(bytes, at + 12);
    // libpcap refuses records above 256 KiB; a wild length means the file is damaged here.
    if (captured > 0x40000) {
      warnings.push(
        `pcap record of frame ${frames.length + 1} at byte ${at} claims ${captured} captured bytes: file damaged, stopping`,
      );
      break;
    }
    const dataAt = at + recordHeader;
    if (dataAt + captured > bytes.length) {
      warnings.push(
        `pcap frame ${frames.length + 1} truncated: ${bytes.length - dataAt} of ${captured} captured bytes present`,
      );
      break;
    }
    frames.push({
      number: frames.length + 1,
      linkType,
      seconds,
      micros: nano ? Math.floor(fraction / 1000) : fraction,
      originalLength: original,
      snapLength,
      data: bytes.subarray(dataAt, dataAt + Math.min(captured, snapshot)),
    });
    at = dataAt + captured;
  }
  return { format: 'pcap', frames, warnings };
}

interface PcapngInterface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSeconds: bigint;
}

/** Largest snapshot libpcap accepts for the common link types (MAXIMUM_SNAPLEN). */
const MAXIMUM_SNAPLEN = 262144;

/**
 * libpcap's pcap_adjust_snapshot: a zero or oversized snapshot length means the maximum. Records
 * longer than the snapshot are cut to it when read (sf-pcap.c, sf-pcapng.c), so tcpdump never sees
 * their tail; a decoder that read it would print checksums and fields tcpdump does not.
 */
function effectiveSnapshot(snapLength: number): number {
  return snapLength === 0 || snapLength > MAXIMUM_SNAPLEN ? MAXIMUM_SNAPLEN : snapLength;
}

function readPcapng(bytes: Uint8Array): CaptureContainer {
  const frames: CapturedFrame[] = [];
  const warnings: string[] = [];
  let interfaces: PcapngInterface[] = [];
  let littleEndian = true;
  // libpcap takes one snapshot length for the whole file, from the first interface description.
  let snapshot: number | undefined;
  let stop = false;
  let at = 0;
  const u32 = (o: number): number => (littleEndian ? u32le(bytes, o) : u32be(bytes, o));
  const u16 = (o: number): number => (littleEndian ? bytes[o] | (bytes[o + 1] << 8) : (bytes[o] << 8) | bytes[o + 1]);

  while (at < bytes.length) {
    if (at + 12 > bytes.length) {
      warnings.push(`pcapng block at byte ${at} truncated: ${bytes.length - at} bytes left, a block needs at least 12`);
      break;
    }
    // Every section header fixes the byte order of the blocks that follow it.
    if (u32be(bytes, at) === PCAPNG_SHB) {
      const bom = u32le(bytes, at + 8);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) littleEndian = true;
      else if (bom === 0x4d3c2b1a) littleEndian = false;
      else {
        warnings.push(`pcapng section header at byte ${at} has no valid byte-order magic: stopping`);
        break;
      }
      interfaces = [];
    }
    const type = u32(at);
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0) {
      warnings.push(`pcapng block at byte ${at} (type 0x${type.toString(16)}) has invalid length ${length}: stopping`);
      break;
    }
    if (at + length > bytes.length) {
      warnings.push(
        `pcapng block at byte ${at} (type 0x${type.toString(16)}) truncated: ${bytes.length - at} of ${length} bytes present`,
      );
      break;
    }
    if (u32(at + length - 4) !== length) {
      warnings.push(
        `pcapng block at byte ${at} (type 0x${type.toString(16)}): trailing length ${u32(at + length - 4)} differs from ${length}: stopping`,
      );
      break;
    }
    const body = at + 8;
    const bodyEnd = at + length - 4;
    switch (type) {
      case PCAPNG_SHB:
        break;
      case 1: {
        // Interface Description Block
        if (bodyEnd - body < 8) {
          warnings.push(`pcapng interface block at byte ${at} too short`);
          break;
        }
        const iface: PcapngInterface = {
          linkType: u16(body),
          snapLength: u32(body + 4),
          unitsPerSecond: 1000000n,
          offsetSeconds: 0n,
        };
        readOptions(body + 8, bodyEnd, (code, o, len) => {
          if (code === 9 && len >= 1) {
            const r = bytes[o];
            iface.unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
          } else if (code === 14 && len >= 8) {
            const hi = u32(o);
            const lo = u32(o + 4);
            iface.offsetSeconds = BigInt.asIntN(
              64,
              littleEndian ? (BigInt(lo) << 32n) | BigInt(hi) : (BigInt(hi) << 32n) | BigInt(lo),
            );
          }
        });
        interfaces.push(iface);
        snapshot ??= effectiveSnapshot(iface.snapLength);
        break;
      }
      case 6: // Enhanced Packet Block
      case 2: {
        // obsolete Packet Block: 16-bit interface id and drop count instead of a 32-bit id
        if (bodyEnd - body < 20) {
          warnings.push(`pcapng packet block at byte ${at} too short`);
          break;
        }
        const id = type === 6 ? u32(body) : u16(body);
        const iface = interfaces[id];
        if (!iface) {
          warnings.push(`pcapng packet block at byte ${at} names interface ${id}, which was not described: skipped`);
          break;
        }
        const captured = u32(body + 12);
        const original = u32(body + 16);
        if (snapshot !== undefined && captured > snapshot) {
          // libpcap (sf-pcapng.c) refuses such a record and tcpdump stops there: so do we.
          warnings.push(
            `pcapng packet block at byte ${at} claims ${captured} captured bytes, more than the snapshot length ${snapshot}: stopping`,
          );
          stop = true;
          break;
        }
        if (body + 20 + captured > bodyEnd) {
          warnings.push(
            `pcapng packet block at byte ${at} claims ${captured} captured bytes, more than the block holds: skipped`,
          );
          break;
        }
        const units = (BigInt(u32(body + 4)) << 32n) | BigInt(u32(body + 8));
        frames.push(
          makeFrame(frames.length + 1, iface, units, original, bytes.subarray(body + 20, body + 20 + captured)),
        );
        break;
      }
      case 3: {
        // Simple Packet Block: interface 0, no timestamp
        const iface = interfaces[0];
        if (!iface) {
          warnings.push(`pcapng simple packet block at byte ${at} before any interface description: skipped`);
          break;
        }
        const original = u32(body);
        let captured = Math.min(original, bodyEnd - body - 4);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        frames.push(makeFrame(frames.length + 1, iface, 0n, original, bytes.subarray(body + 4, body + 4 + captured)));
        break;
      }
      default: // name resolution, statistics, decryption secrets, custom: nothing to print
        break;
    }
    if (stop) break;
    at += length;
  }
  return { format: 'pcapng', frames, warnings };

  function readOptions(from: number, to: number, onOption: (code: number, at: number, length: number) => void): void {
    let o = from;
    while (o + 4 <= to) {
      const code = u16(o);
      const len = u16(o + 2);
      if (code === 0) return;
      if (o + 4 + len > to) return;
      onOption(code, o + 4, len);
      o += 4 + ((len + 3) & ~3);
    }
  }
}

function makeFrame(
  number: number,
  iface: PcapngInterface,
  units: bigint,
  original: number,
  data: Uint8Array,
): CapturedFrame {
  let seconds = units / iface.unitsPerSecond;
  const rest = units % iface.unitsPerSecond;
  seconds += iface.offsetSeconds;
  return {
    number,
    linkType: iface.linkType,
    seconds: Number(seconds),
    micros: Number((rest * 1000000n) / iface.unitsPerSecond),
    originalLength: original,
    snapLength: iface.snapLength,
    data,
  };
}
