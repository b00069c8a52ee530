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

/** A copy of `b[from .. to)` (not `slice`: on a Node Buffer that is a view of the same memory). */
function copyOf(b: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  out.set(b.subarray(from, to));
  return out;
}

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

export interface CaptureReaderOptions {
  /**
   * Frames whose bytes lie inside one pushed chunk share that chunk's memory instead of getting a
   * copy. Only for callers that neither reuse nor change a chunk after pushing it (the whole-buffer
   * `readCaptureContainer`). By default every frame owns its bytes, so a frame stays valid however
   * long it is kept and whatever the caller does with its chunks afterwards.
   */
  aliasChunks?: boolean;
  /**
   * Largest pcapng block this reader buffers to parse (interface and packet blocks): a longer one
   * is damage. Blocks it only skips (section headers, name resolution, statistics, custom ones)
   * are never buffered, whatever their length. Default 16 MiB, libpcap's own initial block limit
   * (sf-pcapng.c INITIAL_MAX_BLOCKSIZE); a pcap record is capped at 256 KiB as libpcap caps it.
   */
  maxBlockBytes?: number;
}

export interface CaptureStreamEnd {
  format: CaptureContainer['format'];
  /** Frames handed out by all the pushes. */
  frames: number;
  /** Every warning, in the order the whole-buffer reader gives them. */
  warnings: string[];
}

const DEFAULT_MAX_BLOCK = 16 << 20;
/** libpcap refuses pcap records above 256 KiB; a wilder length means the file is damaged there. */
const MAX_PCAP_RECORD = 0x40000;

type Mode = 'start' | 'pcapHeader' | 'pcapRecord' | 'pcapng' | 'skip' | 'done';

/**
 * pcap / pcapng bytes in chunks of any size → frames as soon as each is complete. Holds only the
 * unfinished record between pushes (`bufferedBytes`: at most a pcap record, 256 KiB + header, or
 * one parsed pcapng block, `maxBlockBytes`), so memory does not follow the file size. Damage is
 * reported as the whole-buffer reader always reported it (same text, same byte offsets), every
 * frame before it kept; after damage further pushes are ignored.
 *
 *   const reader = new CaptureStreamReader();
 *   for (const chunk of chunks) for (const frame of reader.push(chunk)) use(frame);
 *   const { warnings } = reader.end();
 */
export class CaptureStreamReader {
  private mode: Mode = 'start';
  private fmt: CaptureContainer['format'] = 'unknown';
  private readonly warnings: string[] = [];
  private readonly alias: boolean;
  private readonly maxBlock: number;
  private frameCount = 0;
  private ended = false;
  /** Bytes taken from the input so far (consumed units and the pending bytes). */
  private total = 0;
  /** Absolute offset of the unit (header, record, block) being read. */
  private unitStart = 0;
  /** The unfinished unit's bytes: `pendingLength` of them, in a buffer of the size it needs. */
  private pending: Uint8Array | undefined;
  private pendingLength = 0;

  // pcap
  private littleEndian = true;
  private nano = false;
  private recordHeader = 16;
  private linkType = 0;
  private snapLength = 0;
  private snapshot = MAXIMUM_SNAPLEN;
  // pcapng
  private interfaces: PcapngInterface[] = [];
  /** libpcap takes one snapshot length for the whole file, from the first interface description. */
  private ngSnapshot: number | undefined;
  // a skipped pcapng block: its type, length, bytes still to come, and its trailing length so far
  private skipType = 0;
  private skipLength = 0;
  private skipLeft = 0;
  private readonly trailer = new Uint8Array(4);

  constructor(options: CaptureReaderOptions = {}) {
    this.alias = options.aliasChunks === true;
    this.maxBlock = Math.max(12, options.maxBlockBytes ?? DEFAULT_MAX_BLOCK);
  }

  /** In a skipped block (a getter, so the compiler does not narrow `mode` across the calls that change it). */
  private get skipping(): boolean {
    return this.mode === 'skip';
  }

  /** What the reader holds between pushes: the unfinished record's buffer. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  get format(): CaptureContainer['format'] {
    return this.fmt;
  }

  /** True once damage stopped the walk: further bytes are ignored. */
  get stopped(): boolean {
    return this.mode === 'done';
  }

  /** The frames completed by `chunk` (possibly none). */
  push(chunk: Uint8Array): CapturedFrame[] {
    if (this.ended) throw new Error('CaptureStreamReader: push after end');
    const out: CapturedFrame[] = [];
    let pos = 0;
    while (pos < chunk.length && this.mode !== 'done') {
      if (this.mode === 'skip') {
        const n = this.skip(chunk, pos, chunk.length - pos);
        pos += n;
        this.total += n;
        if (this.skipLeft === 0) this.unitStart = this.total;
        continue;
      }
      if (this.pending) {
        const take = Math.min(this.pending.length - this.pendingLength, chunk.length - pos);
        this.pending.set(chunk.subarray(pos, pos + take), this.pendingLength);
        this.pendingLength += take;
        this.total += take;
        pos += take;
        if (this.pendingLength < this.pending.length) break;
        this.drainPending(out);
        continue;
      }
      const r = this.unit(chunk, pos, chunk.length - pos, out, !this.alias);
      if (r > 0) {
        pos += r;
        this.total += r;
        // A block being skipped keeps its start: its rest comes in the next chunks.
        if (!this.skipping) this.unitStart = this.total;
      } else if (r < 0) {
        // Unfinished: keep what there is in a buffer of the size the unit needs so far.
        this.pending = new Uint8Array(-r);
        this.pendingLength = chunk.length - pos;
        this.pending.set(chunk.subarray(pos));
        this.total += this.pendingLength;
        pos = chunk.length;
      }
    }
    return out;
  }

  /** No more bytes: the warning for an unfinished unit, and the totals. */
  end(): CaptureStreamEnd {
    if (!this.ended) {
      this.ended = true;
      this.truncation();
      this.pending = undefined;
      this.pendingLength = 0;
    }
    return { format: this.fmt, frames: this.frameCount, warnings: [...this.warnings] };
  }

  /** The pending buffer is full: parse it, or grow it to what the unit turns out to need. */
  private drainPending(out: CapturedFrame[]): void {
    for (;;) {
      const buf = this.pending!;
      const r = this.unit(buf, 0, this.pendingLength, out, false);
      if (r === 0 && this.mode !== 'done') continue;
      if (r < 0) {
        const grown = new Uint8Array(-r);
        grown.set(buf.subarray(0, this.pendingLength));
        this.pending = grown;
        return;
      }
      // Consumed (r === pendingLength) or stopped; a skipped block's rest comes from the chunks.
      this.pending = undefined;
      this.pendingLength = 0;
      if (r > 0 && !this.skipping) this.unitStart = this.total;
      return;
    }
  }

  private u32(b: Uint8Array, o: number): number {
    return this.littleEndian ? u32le(b, o) : u32be(b, o);
  }
  private u16(b: Uint8Array, o: number): number {
    return this.littleEndian ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  private stop(warning: string): 0 {
    this.warnings.push(warning);
    this.mode = 'done';
    return 0;
  }

  /**
   * One unit at `b[at .. at+avail)`: > 0 bytes consumed; < 0 minus the bytes it needs (more than
   * `avail`); 0 state changed (format found, or stopped) with nothing consumed.
   */
  private unit(b: Uint8Array, at: number, avail: number, out: CapturedFrame[], copy: boolean): number {
    switch (this.mode) {
      case 'start':
        return this.start(b, at, avail);
      case 'pcapHeader':
        return this.pcapHeader(b, at, avail);
      case 'pcapRecord':
        return this.pcapRecord(b, at, avail, out, copy);
      case 'pcapng':
        return this.pcapngBlock(b, at, avail, out, copy);
      default:
        return 0;
    }
  }

  private start(b: Uint8Array, at: number, avail: number): number {
    if (avail < 4) return -4;
    const be = u32be(b, at);
    const le = u32le(b, at);
    if (be === PCAPNG_SHB) {
      this.fmt = 'pcapng';
      this.mode = 'pcapng';
      return 0;
    }
    for (const magic of [PCAP_MICRO, PCAP_NANO, PCAP_KUZNETSOV]) {
      if (be === magic || le === magic) {
        this.fmt = 'pcap';
        this.mode = 'pcapHeader';
        this.littleEndian = le === magic;
        this.nano = magic === PCAP_NANO;
        this.recordHeader = magic === PCAP_KUZNETSOV ? 24 : 16;
        return 0;
      }
    }
    return this.stop('not a pcap or pcapng file (unknown magic number)');
  }

  private pcapHeader(b: Uint8Array, at: number, avail: number): number {
    if (avail < 24) return -24;
    // The upper bits of the link-type field carry FCS information (LT_FCS_* in libpcap).
    this.linkType = this.u32(b, at + 20) & 0x03ffffff;
    this.snapLength = this.u32(b, at + 16);
    this.snapshot = effectiveSnapshot(this.snapLength);
    this.mode = 'pcapRecord';
    return 24;
  }

  private pcapRecord(b: Uint8Array, at: number, avail: number, out: CapturedFrame[], copy: boolean): number {
    const header = this.recordHeader;
    if (avail < header) return -header;
    const captured = this.u32(b, at + 8);
    if (captured > MAX_PCAP_RECORD) {
      return this.stop(
        `pcap record of frame ${this.frameCount + 1} at byte ${this.unitStart} claims ${captured} captured bytes: file damaged, stopping`,
      );
    }
    if (avail < header + captured) return -(header + captured);
    const fraction = this.u32(b, at + 4);
    const from = at + header;
    const to = from + Math.min(captured, this.snapshot);
    this.emit(out, {
      number: this.frameCount + 1,
      linkType: this.linkType,
      seconds: this.u32(b, at),
      micros: this.nano ? Math.floor(fraction / 1000) : fraction,
      originalLength: this.u32(b, at + 12),
      snapLength: this.snapLength,
      data: copy ? copyOf(b, from, to) : b.subarray(from, to),
    });
    return header + captured;
  }

  private emit(out: CapturedFrame[], frame: CapturedFrame): void {
    this.frameCount++;
    out.push(frame);
  }

  private pcapngBlock(b: Uint8Array, at: number, avail: number, out: CapturedFrame[], copy: boolean): number {
    const start = this.unitStart;
    if (avail < 12) return -12;
    // Every section header fixes the byte order of the blocks that follow it.
    if (u32be(b, at) === PCAPNG_SHB) {
      const bom = u32le(b, at + 8);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else return this.stop(`pcapng section header at byte ${start} has no valid byte-order magic: stopping`);
      this.interfaces = [];
    }
    const type = this.u32(b, at);
    const length = this.u32(b, at + 4);
    if (length < 12 || length % 4 !== 0) {
      return this.stop(
        `pcapng block at byte ${start} (type 0x${type.toString(16)}) has invalid length ${length}: stopping`,
      );
    }
    const parsed = type === 1 || type === 2 || type === 3 || type === 6;
    if (!parsed && avail < length) {
      // Nothing in it to read: let it pass without holding it, checking only its trailing length.
      this.skipType = type;
      this.skipLength = length;
      this.skipLeft = length;
      this.mode = 'skip';
      return this.skip(b, at, avail);
    }
    if (parsed && length > this.maxBlock) {
      // Checked whether or not the bytes are all there, so a whole-buffer read says the same.
      return this.stop(
        `pcapng block at byte ${start} (type 0x${type.toString(16)}) claims ${length} bytes, more than the ${this.maxBlock} this reader accepts: stopping`,
      );
    }
    if (avail < length) return -length;
    const trailing = this.u32(b, at + length - 4);
    if (trailing !== length) {
      return this.stop(
        `pcapng block at byte ${start} (type 0x${type.toString(16)}): trailing length ${trailing} differs from ${length}: stopping`,
      );
    }
    this.pcapngBody(b, at, type, length, out, copy);
    return this.mode === 'done' ? 0 : length;
  }

  /** Passes over a skipped block's bytes; returns how many of `b[at .. at+avail)` it took. */
  private skip(b: Uint8Array, at: number, avail: number): number {
    const n = Math.min(this.skipLeft, avail);
    const done = this.skipLength - this.skipLeft;
    // Keep the bytes of the trailing length (the block's last four) as they pass.
    for (let i = Math.max(0, this.skipLength - 4 - done); i < n; i++)
      this.trailer[done + i - (this.skipLength - 4)] = b[at + i];
    this.skipLeft -= n;
    if (this.skipLeft === 0) {
      const trailing = this.u32(this.trailer, 0);
      if (trailing !== this.skipLength) {
        this.stop(
          `pcapng block at byte ${this.unitStart} (type 0x${this.skipType.toString(16)}): trailing length ${trailing} differs from ${this.skipLength}: stopping`,
        );
        return n;
      }
      this.mode = 'pcapng';
    }
    return n;
  }

  private pcapngBody(
    b: Uint8Array,
    at: number,
    type: number,
    length: number,
    out: CapturedFrame[],
    copy: boolean,
  ): void {
    const start = this.unitStart;
    const body = at + 8;
    const bodyEnd = at + length - 4;
    const u32 = (o: number): number => this.u32(b, o);
    const u16 = (o: number): number => this.u16(b, o);
    switch (type) {
      case 1: {
        // Interface Description Block
        if (bodyEnd - body < 8) {
          this.warnings.push(`pcapng interface block at byte ${start} too short`);
          return;
        }
        const iface: PcapngInterface = {
          linkType: u16(body),
          snapLength: u32(body + 4),
          unitsPerSecond: 1000000n,
          offsetSeconds: 0n,
        };
        const littleEndian = this.littleEndian;
        readOptions(body + 8, bodyEnd, (code, o, len) => {
          if (code === 9 && len >= 1) {
            const r = b[o];
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
        this.interfaces.push(iface);
        this.ngSnapshot ??= effectiveSnapshot(iface.snapLength);
        return;
      }
      case 6: // Enhanced Packet Block
      case 2: {
        // obsolete Packet Block: 16-bit interface id and drop count instead of a 32-bit id
        if (bodyEnd - body < 20) {
          this.warnings.push(`pcapng packet block at byte ${start} too short`);
          return;
        }
        const id = type === 6 ? u32(body) : u16(body);
        const iface = this.interfaces[id];
        if (!iface) {
          this.warnings.push(
            `pcapng packet block at byte ${start} names interface ${id}, which was not described: skipped`,
          );
          return;
        }
        const captured = u32(body + 12);
        const original = u32(body + 16);
        if (this.ngSnapshot !== undefined && captured > this.ngSnapshot) {
          // libpcap (sf-pcapng.c) refuses such a record and tcpdump stops there: so do we.
          this.stop(
            `pcapng packet block at byte ${start} claims ${captured} captured bytes, more than the snapshot length ${this.ngSnapshot}: stopping`,
          );
          return;
        }
        if (body + 20 + captured > bodyEnd) {
          this.warnings.push(
            `pcapng packet block at byte ${start} claims ${captured} captured bytes, more than the block holds: skipped`,
          );
          return;
        }
        const units = (BigInt(u32(body + 4)) << 32n) | BigInt(u32(body + 8));
        const from = body + 20;
        const data = copy ? copyOf(b, from, from + captured) : b.subarray(from, from + captured);
        this.emit(out, makeFrame(this.frameCount + 1, iface, units, original, data));
        return;
      }
      case 3: {
        // Simple Packet Block: interface 0, no timestamp
        const iface = this.interfaces[0];
        if (!iface) {
          this.warnings.push(`pcapng simple packet block at byte ${start} before any interface description: skipped`);
          return;
        }
        const original = u32(body);
        let captured = Math.min(original, bodyEnd - body - 4);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        const from = body + 4;
        const data = copy ? copyOf(b, from, from + captured) : b.subarray(from, from + captured);
        this.emit(out, makeFrame(this.frameCount + 1, iface, 0n, original, data));
        return;
      }
      default: // section header, name resolution, statistics, decryption secrets, custom: nothing to print
        return;
    }

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

  /** At the end: the warning for the unit the bytes stopped in, worded as the whole-buffer reader words it. */
  private truncation(): void {
    const have = this.pendingLength;
    const b = this.pending;
    const start = this.unitStart;
    switch (this.mode) {
      case 'start':
        this.fmt = 'unknown';
        this.warnings.push(`not a capture file: only ${have} bytes`);
        return;
      case 'pcapHeader':
        this.warnings.push(`pcap file header truncated: ${have} of 24 bytes`);
        return;
      case 'pcapRecord': {
        if (have === 0) return;
        const header = this.recordHeader;
        if (have < header) {
          this.warnings.push(
            `pcap record header of frame ${this.frameCount + 1} truncated at byte ${start}: file ends after ${have} of ${header} bytes`,
          );
        } else {
          this.warnings.push(
            `pcap frame ${this.frameCount + 1} truncated: ${have - header} of ${this.u32(b!, 8)} captured bytes present`,
          );
        }
        return;
      }
      case 'pcapng': {
        if (have === 0) return;
        if (have < 12) {
          this.warnings.push(`pcapng block at byte ${start} truncated: ${have} bytes left, a block needs at least 12`);
          return;
        }
        this.warnings.push(
          `pcapng block at byte ${start} (type 0x${this.u32(b!, 0).toString(16)}) truncated: ${have} of ${this.u32(b!, 4)} bytes present`,
        );
        return;
      }
      case 'skip':
        this.warnings.push(
          `pcapng block at byte ${start} (type 0x${this.skipType.toString(16)}) truncated: ${this.skipLength - this.skipLeft} of ${this.skipLength} bytes present`,
        );
        return;
      default:
        return;
    }
  }
}

/** The whole buffer at once: one push, one end, frames sharing `bytes`. */
export function readCaptureContainer(bytes: Uint8Array): CaptureContainer {
  const reader = new CaptureStreamReader({ aliasChunks: true });
  const frames = reader.push(bytes);
  const { format, warnings } = reader.end();
  return { format, frames, warnings };
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
