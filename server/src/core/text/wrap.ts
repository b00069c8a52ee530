import type { Packet, TokenRange } from '../packet';
import { ParseRun } from './run';
import { matchHead } from './head';

/*
 * Hard-wrapped lines (a terminal's or an editor's wrap copied as newlines): joining a head line
 * with its continuation, and mapping ranges in the joined text back to their own lines.
 */

/** Takes the next line into `w` if it can be the rest of a wrapped one (not a head, not tcpdump's own tab-indented detail). */
export function joinWrapped(r: ParseRun, w: WrappedText, lines: readonly string[], requirePrefix: boolean): boolean {
  const next = w.lineNo + w.starts.length;
  if (w.starts.length > WRAP_LINES || next >= lines.length || lines[next].length === 0) return false;
  if (lines[next].charCodeAt(0) === 9 /* tab */) return false;
  const head = matchHead(r, lines[next], requirePrefix);
  // A cut address can look like a -tt head (`29.22 > …`); a printed timestamp cannot be that short.
  if (head && !(head.nonIp && head.timestamp !== undefined && !PRINTED_TIMESTAMP.test(head.timestamp))) return false;
  w.text += wrapGap(w.text, lines[next]);
  w.starts.push(w.text.length);
  w.lengths.push(lines[next].length);
  w.text += lines[next];
  return true;
}

/** What a TCP summary cut inside `: Flags [` ends with (a trailing space aside). */
const FLAGS_CUTS: readonly string[] = [':', ': F', ': Fl', ': Fla', ': Flag', ': Flags', ': Flags '];

/**
 * A TCP summary cut before its flags were whole: `…: `, `…: Fla`, `…: Flags [R`. What
 * `/:(?: F(?:l(?:a(?:g(?:s(?: (?:\[[^\]]*)?)?)?)?)?)?)? ?$/` matches, read from the end: that
 * regex tried every `: Flags [` and rescanned the line from each to its end, quadratic in the line.
 * @internal exported for its equivalence test.
 */
export function endsBeforeFlags(text: string): boolean {
  const open = text.lastIndexOf(': Flags [');
  if (open >= 0 && text.indexOf(']', open) < 0) return true;
  const end = text.charCodeAt(text.length - 1) === 32 ? text.length - 1 : text.length;
  for (const cut of FLAGS_CUTS) if (end >= cut.length && text.startsWith(cut, end - cut.length)) return true;
  return false;
}

const PRINTED_TIMESTAMP = /:|^\d{9,}\.\d{6,9}$/;

/** The packet's last line and its ranges, once its text is known to span `w`'s lines. */
export function finishWrapped(p: Packet, lines: readonly string[], w: WrappedText): void {
  if (w.starts.length === 1) return;
  p.endLine = w.lineNo + w.starts.length - 1;
  p.endLineLength = lines[p.endLine].length;
  // Only ranges read from w's joined text move: a header finished on an earlier line keeps its own.
  if (p.ttlRange?.line === w.lineNo) setRange(p, 'ttlRange', mapRange(w, p.ttlRange));
  if (p.flagsRange?.line === w.lineNo) setRange(p, 'flagsRange', mapRange(w, p.flagsRange));
}

/** How many lines after a head a hard-wrapped IP header may continue on. */
const WRAP_LINES = 4;

/** A head line joined with the lines its header was wrapped onto. */
export interface WrappedText {
  text: string;
  /** Where each joined line starts in `text` (the first at 0), and its own length. */
  starts: number[];
  lengths: number[];
  lineNo: number;
}

/**
 * What a hard wrap took out between two lines. An editor wraps at a space and drops it; a terminal
 * cuts anywhere and drops nothing, but a cut there falls inside a word as often as not. So: nothing
 * between two word characters (`192.168.40` + `.129`), or where a space is still there; a space
 * elsewhere (`192.168.40.129` + `>`, `proto:` + `TCP`).
 */
function wrapGap(before: string, after: string): string {
  const a = before.charCodeAt(before.length - 1);
  const b = after.charCodeAt(0);
  if (a === 32 || a === 9 || b === 32 || b === 9) return '';
  if (isWrapWordChar(a) && isWrapWordChar(b)) return '';
  // Inside an IPv6 address (`fd00:201:4` + `::2`, `fd00:201:` + `4::2`), not after `proto:`.
  if (isHexDigit(a) && b === 58) return '';
  if (
    a === 58 &&
    isHexDigit(b) &&
    before.length > 1 &&
    (isHexDigit(before.charCodeAt(before.length - 2)) || before.charCodeAt(before.length - 2) === 58)
  )
    return '';
  return ' ';
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Letters, digits and `.`: what a terminal's cut inside an address or number leaves on both sides. */
function isWrapWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46; /* . */
}

function lineOf(w: WrappedText, position: number): number {
  let i = w.starts.length - 1;
  while (i > 0 && w.starts[i] > position) i--;
  return w.lineNo + i;
}

function setRange(p: Packet, key: 'ttlRange' | 'flagsRange', r: TokenRange | undefined): void {
  if (r) p[key] = r;
  else delete p[key];
}

/** A range parsed on the joined text, back on its own line; gone if it spans a wrap. */
function mapRange(w: WrappedText, r: TokenRange): TokenRange | undefined {
  if (w.starts.length === 1) return r;
  const line = lineOf(w, r.start);
  if (line !== lineOf(w, r.end - 1)) return undefined;
  const base = w.starts[line - w.lineNo];
  // A token that runs into a gap the join put in is not on one line either.
  if (r.end - base > w.lengths[line - w.lineNo]) return undefined;
  return { line, start: r.start - base, end: r.end - base };
}
