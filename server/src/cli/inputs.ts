import {
  closeSync,
  createReadStream,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureTextStream, FrameLineIndex, isBinaryCapture, type CaptureStreamEnd } from '../core/capture';
import { decodeText, TextChunkDecoder } from '../textDecoding';
import { complain } from './output';

/*
 * Where the text comes from: a file (read whole, or streamed twice), standard input or a pipe
 * (spooled to a temporary file for the second pass, or read once as it comes for --follow), or a
 * pcap/pcapng capture from any of those, decoded frame by frame as it is read to the text
 * `tcpdump -nv -r` would print.
 */

/**
 * Text files up to this size are read whole and analysed in one pass (about three times the file
 * in memory, twice as fast as two passes); larger ones, and standard input, are streamed.
 */
const IN_MEMORY_LIMIT = 256 * 1024 * 1024;

/** A file that cannot be read or decoded: exit 2 with this message. */
export class InputError extends Error {}

/** Where a file's text comes from, and how to read it again for the second pass. */
export interface TextSource {
  /** Fresh text chunks from the start, each call. */
  chunks(): AsyncIterable<string>;
  /** For decoded captures: line (0-based) → frame number; complete once the first pass has ended. */
  frameOfLine?: (line: number) => number | undefined;
  /** The whole text at once, when it is small enough to hold: one pass instead of two. */
  wholeText?: () => string;
  /**
   * A decoded capture was damaged (truncated, malformed blocks): the frames before it were read.
   * Known once the first pass has ended.
   */
  readonly damaged?: boolean;
  dispose(): void;
}

/** The message for an input without packets, which fails the run unless --allow-empty. */
export const noPackets = (file: string): string => `no packets found in ${file === '-' ? 'standard input' : file}`;

function readError(file: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (e as Error).message;
  return new InputError(`cannot read ${file}: ${why}`);
}

function startsLikeCapture(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return isBinaryCapture(head.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** One read of an input's bytes from its start; each call starts over. */
type BytePass = () => AsyncIterable<Uint8Array>;

/**
 * Bytes read per chunk of a capture; each is decoded and analysed before the next. Small, because
 * a chunk's text is built frame by frame and lives until it is analysed: 1 MiB chunks (about 6000
 * frames) outlived the young generation, and 200k generated frames took 5.3 s and 230 MB of
 * memory instead of 3.4 s and 137 MB at 32 KiB.
 */
const CAPTURE_CHUNK = 1 << 15;
/** Bytes read per chunk of a text file. */
const TEXT_CHUNK = 1 << 16;

/** A file's bytes from its start; errors name the file. */
async function* fileBytes(file: string, chunkSize: number): AsyncIterable<Buffer> {
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: chunkSize })) yield chunk as Buffer;
  } catch (e) {
    throw readError(file, e);
  }
}

/** Bytes → text by byte-order mark, across chunk borders. */
async function* textOf(bytes: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextChunkDecoder();
  for await (const chunk of bytes) yield decoder.write(chunk);
  yield decoder.end();
}

/**
 * A pcap/pcapng decoded to tcpdump -nv text frame by frame as its bytes come, once per pass, so
 * memory follows the unfinished record and the open conversations, never the capture's size. The
 * first pass records which frame each line belongs to (four bytes a frame) and, at its end,
 * prints the decoder's warnings and fails an input without a single frame. `toEnd`: a pipe is
 * read to its end even past damage, so its writer is not cut off and no read is left pending.
 */
function decodedCapture(name: string, pass: BytePass, toEnd: boolean, dispose: () => void = () => {}): TextSource {
  const index = new FrameLineIndex();
  let firstPass: CaptureStreamEnd | undefined;
  let started = false;
  return {
    async *chunks() {
      const indexing = !started;
      started = true;
      // Every chunk is a buffer of its own that nobody changes, and its frames are printed before
      // the next chunk is read: they may share its memory instead of being copied.
      const capture = new CaptureTextStream({ index: indexing ? index : undefined, aliasChunks: true });
      for await (const chunk of pass()) {
        // Pipes hand over 64 KiB and more at a time: cut to CAPTURE_CHUNK, for the reason given there.
        for (let at = 0; at < chunk.length && !capture.stopped; at += CAPTURE_CHUNK) {
          const text = capture.push(chunk.subarray(at, at + CAPTURE_CHUNK));
          if (text) yield text;
        }
        if (capture.stopped && !toEnd) break;
      }
      const end = capture.end();
      if (!indexing) return;
      firstPass = end;
      for (const w of end.warnings) complain(`${name}: ${w}`);
      if (end.format === 'unknown' || (end.frames === 0 && end.warnings.length > 0)) {
        throw new InputError(`cannot decode ${name}: ${end.warnings[0] ?? 'not a pcap or pcapng capture'}`);
      }
    },
    frameOfLine: (line) => index.frameOf(line),
    // Unsupported link types are shown undecoded, as tcpdump does; anything else is damage.
    get damaged() {
      return firstPass?.warnings.some((w) => !/^link-type \d+ is not supported/.test(w)) ?? false;
    },
    dispose,
  };
}

/** Whether a path's stat is the file behind this process's standard input. */
function isStandardInput(s: Stats): boolean {
  try {
    const stdin = fstatSync(0);
    return stdin.dev === s.dev && stdin.ino === s.ino;
  } catch {
    return false;
  }
}

/** A pipe's bytes, read once from where the writer starts; errors name the path. */
async function* pipeBytes(file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
  } catch (e) {
    throw readError(file, e);
  }
}

/**
 * A file to analyse. `live`: for --follow, a pipe is read as it comes instead of spooled.
 * Pipes, FIFOs and devices named as paths (`<(…)`, mkfifo, /dev/stdin fed by a pipe) cannot seek
 * nor be read twice: they are read like standard input, sniffed from their first bytes.
 */
export async function openFile(file: string, stream = true, live = false): Promise<TextSource> {
  let size: number;
  try {
    const s = statSync(file);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!s.isFile()) {
      // Our own standard input by another name (/dev/stdin): read it as such, since a socket (what
      // Node's spawn gives a child) cannot be opened again by path.
      const input = isStandardInput(s) ? standardInput() : pipeBytes(file);
      return await (live ? openLiveStdin : openStdin)(input, file);
    }
    size = s.size;
    if (startsLikeCapture(file)) return decodedCapture(file, () => fileBytes(file, CAPTURE_CHUNK), false);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw readError(file, e);
  }
  const whole = !stream && size <= IN_MEMORY_LIMIT;
  return {
    chunks: () => textOf(fileBytes(file, TEXT_CHUNK)),
    ...(whole
      ? {
          wholeText: () => {
            try {
              return decodeText(readFileSync(file));
            } catch (e) {
              throw readError(file, e);
            }
          },
        }
      : {}),
    dispose() {},
  };
}

const standardInput = (): AsyncIterator<Buffer> => process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

/** The first bytes of standard input (or of a pipe), and whether they start a pcap/pcapng. */
async function startStdin(stdin: AsyncIterator<Buffer>): Promise<{
  stdin: AsyncIterator<Buffer>;
  first: IteratorResult<Buffer>;
  capture: boolean;
}> {
  // A writer may hand over the magic number in pieces: sniff once four bytes (or the end) are in.
  const parts: Buffer[] = [];
  let length = 0;
  for (let r = await stdin.next(); !r.done; r = await stdin.next()) {
    parts.push(r.value);
    length += r.value.length;
    if (length >= 4) break;
  }
  const head = Buffer.concat(parts);
  const first: IteratorResult<Buffer> = length > 0 ? { done: false, value: head } : { done: true, value: undefined };
  return { stdin, first, capture: isBinaryCapture(head) };
}

/** Standard input from its first bytes on, read once. */
async function* rest(stdin: AsyncIterator<Buffer>, first: IteratorResult<Buffer>): AsyncIterable<Buffer> {
  for (let r = first; !r.done; r = await stdin.next()) yield r.value;
}

/**
 * Standard input (or a pipe named `name`), copied to a temporary file as it is read, so the second
 * pass reads that instead of memory; a capture (`tcpdump -w - | tcpdump-lens -`) is spooled as it
 * came and decoded on the way, in each pass.
 */
export async function openStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-'));
  const spool = path.join(dir, capture ? 'stdin.pcap' : 'stdin.txt');
  const fd = openSync(spool, 'w');
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  let firstRead = true;
  async function* spooling(): AsyncIterable<Buffer> {
    try {
      for await (const chunk of rest(stdin, first)) {
        writeSync(fd, chunk);
        yield chunk;
      }
    } finally {
      close();
    }
  }
  const pass: BytePass = () => {
    if (!firstRead) return fileBytes(spool, capture ? CAPTURE_CHUNK : TEXT_CHUNK);
    firstRead = false;
    return spooling();
  };
  const dispose = (): void => {
    close();
    rmSync(dir, { recursive: true, force: true });
  };
  if (capture) return decodedCapture(name, pass, true, dispose);
  return { chunks: () => textOf(pass()), dispose };
}

/** Standard input (or a pipe) for --follow: text, or a capture decoded, chunk by chunk as it comes. */
export async function openLiveStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input);
  if (capture) return decodedCapture(name, () => rest(stdin, first), true);
  return { chunks: () => textOf(rest(stdin, first)), dispose() {} };
}
