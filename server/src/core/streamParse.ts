import type { Packet } from './packet';
import { parseCapture, parseLines } from './parse';

/*
 * Text arriving in pieces → lines → packets, with the whole-document parser (parse.ts) doing all
 * the reading, so streamed packets are the packets `parseCapture` finds in the whole text.
 *
 * parseLines is run over a window of buffered lines. A head line resets every piece of parser
 * state (a packet awaiting its next line is dropped at a head, a wrapped header never joins a head,
 * a non-IP carrier ends there), so the window can be cut just before any packet's head line and
 * parsing resumed there. The one piece of state that outlives heads — whether heads carry a
 * timestamp or `-#` number, decided by the document's first head — is carried by re-reading the
 * document's opening lines (up to its first packet's head) in front of every window.
 */

/**
 * The longest line the streaming paths keep, in characters; the rest of a longer line is skipped.
 * tcpdump prints at most a snapshot of each packet (262144 bytes, its largest snaplen), and the
 * longest line it makes of one is `-A`'s payload without a line break: 1 MiB is four times that.
 * Uncapped, one line past V8's longest string (2^29 characters) threw a RangeError.
 */
export const LINE_LIMIT = 1 << 20;

/** A line longer than the limit: its 0-based number and its whole length in characters. */
export interface LongLine {
  line: number;
  length: number;
}

/** The note for a line cut to `limit` characters (the CLI's stderr, the server's log). */
export function describeLongLine(l: LongLine, limit: number): string {
  return `line ${l.line + 1} is ${l.length} characters long, more than any tcpdump line: read its first ${limit}, skipped the rest`;
}

/** Cuts the lines longer than `limit` in place, as the streaming paths read them; returns those lines. */
export function capLines(lines: string[], limit = LINE_LIMIT): LongLine[] {
  const cut: LongLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].length <= limit) continue;
    cut.push({ line: i, length: lines[i].length });
    lines[i] = lines[i].slice(0, limit);
  }
  return cut;
}

/**
 * Splits text chunks into lines like `splitLines` (LF, CRLF or a lone CR), across chunk borders.
 * A line is cut to `limit` characters (see LINE_LIMIT); the cut lines are kept for takeLongLines().
 */
export class LineSplitter {
  /** The current line so far, at most `limit` characters of it. */
  private rest = '';
  /** The current line's length so far, the skipped part included. */
  private restLength = 0;
  /** The last chunk ended in CR: a LF starting the next one belongs to it. */
  private pendingCr = false;
  /** Lines handed out so far. */
  private lines = 0;
  private longLines: LongLine[] = [];

  constructor(private readonly limit = LINE_LIMIT) {}

  push(chunk: string, out: string[]): void {
    let text = chunk;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    let start = 0;
    if (text.indexOf('\r') < 0) {
      // The common case, LF only: indexOf is much faster than looking at every character.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        this.endLine(text, start, i, out);
        start = i + 1;
      }
      this.keep(text, start, text.length);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.endLine(text, start, i, out);
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.keep(text, start, text.length);
  }

  /** The unterminated last line ('' after a final line end, as splitLines gives). */
  end(out: string[]): void {
    this.endLine('', 0, 0, out);
  }

  /** The lines cut since the last call, in order. */
  takeLongLines(): LongLine[] {
    const taken = this.longLines;
    this.longLines = [];
    return taken;
  }

  /** Ends the current line with text[start, end). */
  private endLine(text: string, start: number, end: number, out: string[]): void {
    if (this.restLength === 0 && end - start <= this.limit) out.push(text.slice(start, end));
    else {
      this.keep(text, start, end);
      out.push(this.rest);
      if (this.restLength > this.limit) this.longLines.push({ line: this.lines, length: this.restLength });
      this.rest = '';
      this.restLength = 0;
    }
    this.lines++;
  }

  /** Adds text[start, end) to the current line, as far as the limit leaves room. */
  private keep(text: string, start: number, end: number): void {
    const room = this.limit - this.rest.length;
    if (room > 0 && end > start) this.rest += text.slice(start, Math.min(end, start + room));
    this.restLength += end - start;
  }
}

/** Lines parsed per window in batch use; small enough to stay cache-friendly, large enough to amortise. */
const WINDOW_LINES = 1024;
/** Lines kept in front of every window to carry the first head's decision; longer openings are cut. */
const OPENING_LIMIT = 256;
/**
 * Lines held without finding any packet before the oldest are dropped (text that is no IP at all:
 * ARP floods, hex dumps). Only a non-IP frame carrying an IP packet more than this many lines
 * later could be missed.
 */
const NO_PACKET_LIMIT = 65536;

/** What the streaming parser needs to keep about each packet for related locations and notes. */
export interface StreamedPacket {
  packet: Packet;
  /** The packet's first line (for related locations of packets without a TTL). */
  firstLine: string;
}

/**
 * Feeds lines in order, returns packets as soon as they are final. `eager` parses after every line
 * (live mode: a packet is out once its last line is in); otherwise after every WINDOW_LINES lines.
 */
export class StreamParser {
  /** Document lines from line 0 through the first packet's head, once known. */
  private opening: string[] | undefined;
  private buffer: string[] = [];
  /** Document line number of buffer[0]. */
  private bufferStart = 0;
  private nextIndex = 0;
  /** Start line of the last packet handed out: re-parsed windows repeat it and what precedes it. */
  private lastOut = -1;
  private parseAt: number;

  constructor(private readonly eager = false) {
    this.parseAt = eager ? 1 : WINDOW_LINES;
  }

  /** Total lines seen so far. */
  get lineCount(): number {
    return this.bufferStart + this.buffer.length;
  }

  pushLine(line: string, out: StreamedPacket[]): void {
    this.buffer.push(line);
    if (this.buffer.length >= this.parseAt) this.parseWindow(false, out);
  }

  end(out: StreamedPacket[]): void {
    this.parseWindow(true, out);
    this.buffer = [];
  }

  private parseWindow(last: boolean, out: StreamedPacket[]): void {
    const front = this.bufferStart === 0 ? [] : (this.opening ?? []);
    const lines = front.length ? front.concat(this.buffer) : this.buffer;
    // At the very end the whole-document rule applies: an unterminated last word is not read.
    const { packets } = last ? parseCapture('', lines) : parseLines(lines);
    const offset = this.bufferStart - front.length;
    // Resume at the last packet's head: everything before it is final. A carrier's IP packet
    // starts on an indented line inside its frame, which is no head to resume at.
    let cut = -1;
    for (let i = packets.length - 1; i >= 0; i--) {
      if (packets[i].carrierLine !== undefined) continue;
      cut = packets[i].startLine + offset;
      break;
    }
    if (this.opening === undefined && this.bufferStart === 0 && packets.length > 0) {
      const firstHead = packets[0].carrierLine ?? packets[0].startLine;
      this.opening = this.buffer.slice(Math.max(0, firstHead + 1 - OPENING_LIMIT), firstHead + 1);
    }
    for (const p of packets) {
      const start = p.startLine + offset;
      if (start < this.bufferStart || start <= this.lastOut) continue;
      const firstLine = lines[p.startLine];
      shiftLines(p, offset);
      p.index = this.nextIndex++;
      out.push({ packet: p, firstLine });
      this.lastOut = start;
    }
    if (last) return;
    const step = this.eager ? 1 : WINDOW_LINES;
    if (cut > this.bufferStart) {
      this.buffer = this.buffer.slice(cut - this.bufferStart);
      this.bufferStart = cut;
      this.parseAt = this.buffer.length + step;
    } else if (this.buffer.length >= NO_PACKET_LIMIT) {
      this.opening ??= this.buffer.slice(0, OPENING_LIMIT);
      const keep = 2;
      this.bufferStart += this.buffer.length - keep;
      this.buffer = this.buffer.slice(-keep);
      this.parseAt = keep + step;
    } else {
      // No place to cut yet: wait for more lines, geometrically beyond a few, so a long stretch
      // without packets is not re-parsed line by line (quadratic).
      this.parseAt = this.buffer.length < 64 ? this.buffer.length + step : this.buffer.length * 2;
    }
  }
}

function shiftLines(p: Packet, offset: number): void {
  if (offset === 0) return;
  p.startLine += offset;
  p.endLine += offset;
  if (p.carrierLine !== undefined) p.carrierLine += offset;
  if (p.ttlRange) p.ttlRange.line += offset;
  if (p.flagsRange) p.flagsRange.line += offset;
}
