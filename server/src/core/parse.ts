import type { Packet, ParsedCapture } from './packet';
import { ParseRun, stickyMatch } from './text/run';
import { closingParen, isWordChar } from './text/scan';
import { endsBeforeFlags, finishWrapped, joinWrapped, type WrappedText } from './text/wrap';
import { parseIpHeader } from './text/header';
import { parseTransport } from './text/transport';
import { type HeadMatch, matchHead } from './text/head';

/*
 * tcpdump text → Packet records, one pass over the lines.
 *
 * A packet starts on a "head" line: column 0 (or after a `-#` packet number), optional
 * timestamp (-t variants, --nano), optional `-i any` interface and direction, a link layer (`IP`,
 * `IP6`, `-e` MAC addresses and ethertypes, VLAN tags, MPLS labels), then the outermost IP header.
 * tcpdump 4.x `-v` ends an IPv4 head line with the IP header's closing `)` and prints the
 * transport summary on the next, indented line; tcpdump 3.9 and IPv6 print both on one line.
 * Lines that start with white space are never heads, so quoted headers inside ICMP errors, hex
 * dumps and decoded payloads cannot become packets. Once a document shows heads with a timestamp
 * or `-#` number, lines without one are not heads either: that keeps `-A` payload and the inner
 * frames tunnels print at column 0 (VXLAN, Geneve) inside their packet.
 *
 * The driver is here; head lines, the IP header, the transport summary and hard-wrap joining are
 * read by text/head.ts, text/header.ts, text/transport.ts and text/wrap.ts, with one ParseRun
 * (text/run.ts) per parse passed down to them.
 *
 * Every pattern of the parser, here and in text/, is anchored (sticky or `^`), or unanchored with
 * each attempt stopped by the next separator, or a plain indexOf scan, so no line, however long,
 * makes a regex rescan it from every start. An unanchored pattern ending in `$` would (V8 tries
 * each start and runs to the end): line ends are read backwards instead.
 */

// Tests and the linear-time checks read it from here, where it was written.
export { endsBeforeFlags };

/** Splits text into lines without their terminators (LF, CRLF or a lone CR). */
export function splitLines(text: string): string[] {
  // Most captures end lines with LF alone: a plain string split is several times faster than the regex.
  return text.indexOf('\r') < 0 ? text.split('\n') : text.split(/\r\n|\n|\r/);
}

/**
 * Parses a whole tcpdump text document. Never throws; lines that are not packets are skipped.
 * tcpdump ends every line it prints, so a document that stops inside a word or number with no line
 * end after it is being typed (or was cut) right there: `ack 2` may yet become `ack 2098519389`,
 * `F` become `Flags [R.]`. That last word is not read; everything before it is.
 */
export function parseCapture(text: string, lines: readonly string[] = splitLines(text)): ParsedCapture {
  const last = lines.length - 1;
  const readable = readableLastLine(lines);
  if (readable === undefined) return parseLines(lines);
  const readableLines = lines.slice();
  readableLines[last] = readable;
  const parsed = parseLines(readableLines);
  for (const p of parsed.packets) if (p.endLine === last) p.endLineLength = lines[last].length;
  return parsed;
}

/** The last line without its unended last word (see parseCapture), or undefined when it has none. */
export function readableLastLine(lines: readonly string[]): string | undefined {
  const last = lines[lines.length - 1];
  // Scanned backwards: `/\w+$/` tries every start of a word run and rescans it to the end, so a
  // long run not at the end (`xxx…x.`) took quadratic time.
  let i = last.length;
  while (i > 0 && isWordChar(last.charCodeAt(i - 1))) i--;
  return i < last.length ? last.slice(0, i) : undefined;
}

/** Skips `[total length 58941 > length 61] (invalid) `-style notes tcpdump puts before a header. */
function skipNotes(line: string, at: number): number {
  for (;;) {
    if (line.charCodeAt(at) === 91 /* [ */ && line.charCodeAt(at + 1) !== 124 /* | */) {
      const close = line.indexOf('] ', at);
      if (close < 0) return at;
      at = close + 2;
    } else if (line.startsWith('(invalid) ', at)) {
      at += 10;
    } else return at;
  }
}

type Progress = 'done' | 'await-header' | 'await-transport' | 'none';

/**
 * Reads the IP part of a packet from `at` on line `lineNo`: MPLS labels, `IP`/`IP6`, the
 * header in parentheses, then the transport summary. Says what is still missing when the line
 * ends early (4.x -v prints the header and the summary, MPLS the labels, on separate lines).
 */
function readIpPart(
  r: ParseRun,
  p: Packet,
  lines: readonly string[],
  lineNo: number,
  at: number,
  requirePrefix: boolean,
): [Progress, number] {
  const line = lines[lineNo];
  while (line.startsWith('MPLS (', at)) {
    const close = closingParen(line, at + 5);
    if (close < 0) return ['none', lineNo];
    at = close;
    while (line.charCodeAt(at) === 32) at++;
  }
  if (at >= line.length) return ['await-header', lineNo];
  const kw = stickyMatch(r.sticky.IP_KEYWORD, line, at);
  if (kw) {
    p.family = kw[1] ? 6 : 4;
    at += kw[0].length;
  }
  at = skipNotes(line, at);
  if (line.charCodeAt(at) !== 40 /* ( */)
    return [parseTransport(r, p, line, lineNo, skipNotes(line, at)) ? 'done' : 'none', lineNo];

  // A header hard-wrapped by a terminal or an editor (the wrap copied as newlines): its rest is on
  // the next lines. They are joined, and positions in the joined text mapped back to their lines.
  const wrapped: WrappedText = { text: line, starts: [0], lengths: [line.length], lineNo };
  let close = closingParen(line, at);
  while (close < 0 && joinWrapped(r, wrapped, lines, requirePrefix)) close = closingParen(wrapped.text, at);
  if (close < 0) return ['none', lineNo]; // header cut off: not a packet we can read
  parseIpHeader(p, wrapped.text, at + 1, close - 1, lineNo, wrapped.text.length);
  at = close;
  while (wrapped.text.charCodeAt(at) === 32) at++;
  if (at >= wrapped.text.length) {
    finishWrapped(p, lines, wrapped);
    return ['await-transport', lineNo + wrapped.starts.length - 1];
  }
  if (wrapped.text.charCodeAt(at) === 58 /* : */ && wrapped.text.charCodeAt(at + 1) === 32) at += 2;
  at = skipNotes(wrapped.text, at);
  return readWrappedTransport(r, p, lines, wrapped, at, requirePrefix);
}

/**
 * The transport summary from `at` of `w`'s text; one wrapped inside its addresses, or right after
 * them (a TCP summary with its flags on the next line), goes on on the next lines.
 */
function readWrappedTransport(
  r: ParseRun,
  p: Packet,
  lines: readonly string[],
  w: WrappedText,
  at: number,
  requirePrefix: boolean,
): [Progress, number] {
  let ok = parseTransport(r, p, w.text, w.lineNo, at);
  while (
    (!ok || (p.proto === 'TCP' && p.flags === undefined && endsBeforeFlags(w.text))) &&
    joinWrapped(r, w, lines, requirePrefix)
  ) {
    ok = parseTransport(r, p, w.text, w.lineNo, at);
  }
  finishWrapped(p, lines, w);
  return [ok ? 'done' : 'none', w.lineNo + w.starts.length - 1];
}

/**
 * Builds packets with `new`, so V8 reserves in-object room for the fields the parser adds later
 * (its slack tracking sizes objects by the `this.` assignments a constructor could make). A
 * literal gets exactly its seven fields, and every later one reallocates an out-of-object array:
 * at a million packets that was a third of the run in the garbage collector. The prototype stays
 * Object.prototype, so a packet is still a plain object (deepStrictEqual, JSON, spread).
 */
const PacketRecord = function (
  this: Packet,
  index: number,
  head: HeadMatch,
  lineNo: number,
  line: string,
  never: boolean,
) {
  this.index = index;
  this.startLine = lineNo;
  this.endLine = lineNo;
  this.endLineLength = line.length;
  this.family = head.family ?? 4;
  this.src = '';
  this.dst = '';
  if (head.frameNumber !== undefined) this.frameNumber = head.frameNumber;
  if (head.timestamp !== undefined) this.timestamp = head.timestamp;
  if (head.timeIsDelta) this.timeIsDelta = true;
  if (head.srcMac) this.srcMac = head.srcMac;
  if (head.dstMac) this.dstMac = head.dstMac;
  if (never) {
    // Never runs: these assignments only tell V8 how many fields a packet may grow to.
    this.carrierLine =
      this.srcPort =
      this.dstPort =
      this.proto =
      this.ttl =
      this.ttlRange =
      this.ipId =
      this.tos =
      this.df =
        undefined;
    this.ipLength =
      this.flags =
      this.flagsRange =
      this.seq =
      this.ack =
      this.win =
      this.payloadLength =
      this.icmpType =
      this.badChecksum =
        undefined;
  }
} as unknown as new (index: number, head: HeadMatch, lineNo: number, line: string, never: boolean) => Packet;
PacketRecord.prototype = Object.prototype;

function newPacket(index: number, head: HeadMatch, lineNo: number, line: string): Packet {
  return new PacketRecord(index, head, lineNo, line, false);
}

/** An indented `IP (` / `IP6 (` line. */
function startsIpHeader(line: string): boolean {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  return i > 0 && (line.startsWith('IP (', i) || line.startsWith('IP6 (', i));
}

export function parseLines(lines: readonly string[]): ParsedCapture {
  const { packets, prefixedHeads } = parseLineRange(lines, 0, undefined, Infinity);
  return { packets, lineCount: lines.length, prefixedHeads };
}

export interface LineRangeParse {
  /** Packets whose head is in [from, stoppedAt), indexed from 0. */
  packets: Packet[];
  /** Whether the document's heads carry a prefix (decided by its first head), once known. */
  prefixedHeads: boolean | undefined;
  /** The head line the parse stopped at, or the line count. */
  stoppedAt: number;
}

/**
 * Parses from line `from`, which must be the document's start or a head line, up to the first
 * head line at or after `stopFrom`. A head line discards whatever the parser was waiting for and
 * no packet reads past the next head, so the packets from a head on depend only on the lines from
 * there and on `prefixedHeads`: that is what lets an edited document be reparsed between two heads.
 */
export function parseLineRange(
  lines: readonly string[],
  from: number,
  prefixedHeadsAtStart: boolean | undefined,
  stopFrom: number,
): LineRangeParse {
  return parseRange(new ParseRun(), lines, from, prefixedHeadsAtStart, stopFrom);
}

function parseRange(
  r: ParseRun,
  lines: readonly string[],
  from: number,
  prefixedHeadsAtStart: boolean | undefined,
  stopFrom: number,
): LineRangeParse {
  const packets: Packet[] = [];
  // A packet whose head line ended early: the next line should carry its header or addresses.
  let awaiting: Packet | null = null;
  let awaitingWhat: Progress = 'none';
  // Whether heads carry a `-#` number or timestamp; decided by the first head.
  let prefixedHeads = prefixedHeadsAtStart;
  // The latest head, when it named a non-IP frame that may still carry an IP packet.
  let carrier: HeadMatch | null = null;
  let carrierLine = -1;

  for (let lineNo = from; lineNo < lines.length; lineNo++) {
    const line = lines[lineNo];
    const head = matchHead(r, line, prefixedHeads === true);
    if (head && lineNo >= stopFrom)
      return { packets, prefixedHeads: prefixedHeads ?? head.prefixed, stoppedAt: lineNo };
    if (awaiting) {
      const pending: Packet = awaiting;
      const what = awaitingWhat;
      awaiting = null;
      if (!head) {
        let i = 0;
        while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
        let progress: Progress;
        let last: number;
        if (what === 'await-header')
          [progress, last] = readIpPart(r, pending, lines, lineNo, i, prefixedHeads === true);
        else
          [progress, last] = readWrappedTransport(
            r,
            pending,
            lines,
            { text: line, starts: [0], lengths: [line.length], lineNo },
            i,
            prefixedHeads === true,
          );
        if (progress !== 'none') {
          pending.endLine = last;
          pending.endLineLength = lines[last].length;
          lineNo = last;
        }
        if (progress === 'done') {
          pending.index = packets.length;
          packets.push(pending);
          continue;
        }
        if (progress !== 'none') {
          awaiting = pending;
          awaitingWhat = progress;
          continue;
        }
      }
    }
    if (!head) {
      if (carrier && startsIpHeader(line)) {
        // A non-IP frame (NSH, LLC ...) that carries an IP packet prints its header indented on a
        // later line: that header is the frame's outermost IP header.
        const p = newPacket(packets.length, carrier, lineNo, line);
        p.carrierLine = carrierLine;
        carrier = null;
        let i = 0;
        while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
        const [progress, last] = readIpPart(r, p, lines, lineNo, i, prefixedHeads === true);
        p.endLine = last;
        p.endLineLength = lines[last].length;
        lineNo = last;
        if (progress === 'done') packets.push(p);
        else if (progress !== 'none') {
          awaiting = p;
          awaitingWhat = progress;
        }
      }
      continue;
    }
    carrier = null;
    if (prefixedHeads === undefined) prefixedHeads = head.prefixed;
    if (head.nonIp) {
      if (head.prefixed) {
        carrier = head;
        carrierLine = lineNo;
      }
      continue;
    }

    const p = newPacket(packets.length, head, lineNo, line);

    const [progress, last] = readIpPart(r, p, lines, lineNo, head.at, prefixedHeads === true);
    lineNo = last;
    if (progress === 'done') packets.push(p);
    else if (progress !== 'none') {
      awaiting = p;
      awaitingWhat = progress;
    }
  }
  return { packets, prefixedHeads, stoppedAt: lines.length };
}
