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
import { isBinaryCapture, renderCaptureFrames } from '../core/capture';
import { decodeText, TextChunkDecoder } from '../textDecoding';
import { complain } from './output';

/*
 * Where the text comes from: a file (read whole, or streamed twice), standard input or a pipe
 * (spooled to a temporary file for the second pass, or read once as it comes for --follow), or a
 * pcap/pcapng capture from any of those, decoded to the text `tcpdump -nv -r` would print.
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
  /** For decoded captures: line (0-based) → frame number. */
  frameOfLine?: (line: number) => number | undefined;
  /** The whole text at once, when it is small enough to hold: one pass instead of two. */
  wholeText?: () => string;
  /** A decoded capture was damaged (truncated, malformed blocks): the frames before it were read. */
  damaged?: boolean;
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

/** A pcap/pcapng decoded to tcpdump -nv text. The decoder takes the whole file in memory. */
function decodedCapture(file: string, bytes: Uint8Array): TextSource {
  const rendered = renderCaptureFrames(bytes);
  for (const w of rendered.warnings) complain(`${file}: ${w}`);
  if (rendered.format === 'unknown' || (rendered.frames.length === 0 && rendered.warnings.length > 0)) {
    throw new InputError(`cannot decode ${file}: ${rendered.warnings[0] ?? 'not a pcap or pcapng capture'}`);
  }
  const frameAt: number[] = [];
  const texts = rendered.frames.map((f) => {
    const lines = f.text.split('\n').length;
    for (let i = 0; i < lines; i++) frameAt.push(f.number);
    return `${f.text}\n`;
  });
  return {
    async *chunks() {
      yield* texts;
    },
    frameOfLine: (line) => frameAt[line],
    // Unsupported link types are shown undecoded, as tcpdump does; anything else is damage.
    damaged: rendered.warnings.some((w) => !/^link-type \d+ is not supported/.test(w)),
    dispose() {},
  };
}

async function* fileChunks(file: string): AsyncIterable<string> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  const decoder = new TextChunkDecoder();
  try {
    for await (const chunk of stream) yield decoder.write(chunk as Buffer);
  } catch (e) {
    throw readError(file, e);
  }
  yield decoder.end();
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
    if (startsLikeCapture(file)) return decodedCapture(file, readFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw readError(file, e);
  }
  const whole = !stream && size <= IN_MEMORY_LIMIT;
  return {
    chunks: () => fileChunks(file),
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

/**
 * The first bytes of standard input (or of a pipe named `name`); a capture (`tcpdump -w - |
 * tcpdump-lens -`) is read whole and decoded.
 */
async function startStdin(
  stdin: AsyncIterator<Buffer> = standardInput(),
  name = '-',
): Promise<{
  stdin: AsyncIterator<Buffer>;
  first: IteratorResult<Buffer>;
  capture?: TextSource;
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
  if (!isBinaryCapture(head)) return { stdin, first };
  for (let r = await stdin.next(); !r.done; r = await stdin.next()) parts.push(r.value);
  return { stdin, first, capture: decodedCapture(name, Buffer.concat(parts)) };
}

/**
 * Standard input (or a pipe named `name`): a capture (`tcpdump -w - | tcpdump-lens -`) is decoded
 * in memory; text is copied to a temporary file as it is read, so the second pass reads that
 * instead of memory.
 */
export async function openStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input, name);
  if (capture) return capture;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-'));
  const spool = path.join(dir, 'stdin.txt');
  const fd = openSync(spool, 'w');
  let spooled = false;
  let firstRead = true;
  return {
    async *chunks() {
      if (!firstRead) {
        yield* fileChunks(spool);
        return;
      }
      firstRead = false;
      const decoder = new TextChunkDecoder();
      try {
        for (let r: IteratorResult<Buffer> = first; !r.done; r = await stdin.next()) {
          writeSync(fd, r.value);
          yield decoder.write(r.value);
        }
        yield decoder.end();
      } finally {
        closeSync(fd);
        spooled = true;
      }
    },
    dispose() {
      if (!spooled) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Standard input (or a pipe) for --follow: text as it comes, or a capture decoded once it has all arrived. */
export async function openLiveStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input, name);
  if (capture) return capture;
  return {
    async *chunks() {
      const decoder = new TextChunkDecoder();
      for (let r: IteratorResult<Buffer> = first; !r.done; r = await stdin.next()) yield decoder.write(r.value);
      yield decoder.end();
    },
    dispose() {},
  };
}
