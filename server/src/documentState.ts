import {
  TextDocument,
  type Position,
  type Range,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-textdocument';
import type { Analysis } from './core/analyze';
import { PendingLineChange, analyzeIncrementally, reanalyze, type IncrementalState } from './core/incrementalAnalysis';
import type { AnalysisOptions } from './core/options';
import { splitLines } from './core/parse';

const ordered = (a: Position, b: Position): Range =>
  a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a };

/** Above this many lines a window is spliced by copying, not spread into Array.splice's arguments. */
const SPREAD_LIMIT = 10_000;

/**
 * One open document: its lines (kept equal to splitLines(text) edit by edit, so an edit costs its
 * own lines, not the document's) and the latest analysis with the edits made since. A document
 * with only LF line ends is kept as lines alone, edited line by line; one with a CR anywhere (CRLF,
 * lone CR, or typed) also keeps a TextDocument, because a CR typed before an LF joins two line ends
 * into one and only the text tells.
 */
export class DocumentState {
  private lines: string[];
  private doc: TextDocument | undefined;
  private currentVersion: number;
  private state: IncrementalState | undefined;
  private analysedVersion = -1;
  private pending: PendingLineChange | undefined;

  constructor(
    readonly uri: string,
    private readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.currentVersion = version;
    this.lines = splitLines(text);
    if (text.includes('\r')) this.doc = TextDocument.create(uri, languageId, version, text);
    else this.opened = text;
  }

  /** The text as opened, until the first edit: joining the lines again would cost the whole document. */
  private opened: string | undefined;

  get version(): number {
    return this.currentVersion;
  }

  /** The analysis is for the current text (no edits since). */
  get upToDate(): boolean {
    return this.state !== undefined && this.analysedVersion === this.currentVersion;
  }

  get latest(): Analysis | undefined {
    return this.state?.analysis;
  }

  get latestVersion(): number {
    return this.analysedVersion;
  }

  get text(): string {
    return this.doc ? this.doc.getText() : (this.opened ?? this.lines.join('\n'));
  }

  /** At least the first 4096 characters (all of a shorter text): what tells a binary capture. */
  private get start(): string {
    if (this.doc) return this.doc.getText().slice(0, 4096);
    let n = 0;
    let i = 0;
    while (i < this.lines.length && n < 4096) n += this.lines[i++].length + 1;
    return this.lines.slice(0, i).join('\n');
  }

  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    this.opened = undefined;
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.lines = splitLines(change.text);
        this.doc = change.text.includes('\r')
          ? TextDocument.create(this.uri, this.languageId, version, change.text)
          : undefined;
        this.pending = undefined;
        this.state = undefined; // a whole new text: analyse from scratch
        continue;
      }
      if (!this.doc && change.text.includes('\r'))
        this.doc = TextDocument.create(this.uri, this.languageId, this.currentVersion, this.lines.join('\n'));
      const before = this.lines.length;
      const range = this.doc
        ? ordered(
            this.doc.positionAt(this.doc.offsetAt(change.range.start)),
            this.doc.positionAt(this.doc.offsetAt(change.range.end)),
          )
        : this.validRange(change.range);
      if (this.state) {
        this.pending ??= new PendingLineChange(this.state.analysis.lines.length);
        this.pending.add(range.start.line, range.end.line, before);
      }
      if (this.doc) {
        this.doc = TextDocument.update(this.doc, [{ range, text: change.text }], version);
        this.spliceFromText(range.start.line, range.end.line, before);
      } else {
        // LF only, none typed: the edited lines are the edit's own lines, split on LF.
        const { start, end } = range;
        const edited =
          this.lines[start.line].slice(0, start.character) + change.text + this.lines[end.line].slice(end.character);
        this.splice(start.line, end.line + 1, edited.split('\n'));
      }
    }
    this.currentVersion = version;
    // Defensive: the line model must match the text exactly, or results would not equal a fresh analysis.
    if (this.doc && this.lines.length !== this.doc.lineCount) {
      this.lines = splitLines(this.doc.getText());
      this.state = undefined;
      this.pending = undefined;
    }
  }

  /** Positions as TextDocument reads them: clamped into the text, start before end. */
  private validRange(r: Range): Range {
    const clamp = (p: Position): Position => {
      if (p.line < 0) return { line: 0, character: 0 };
      if (p.line >= this.lines.length)
        return { line: this.lines.length - 1, character: this.lines[this.lines.length - 1].length };
      return { line: p.line, character: Math.max(0, Math.min(p.character, this.lines[p.line].length)) };
    };
    return ordered(clamp(r.start), clamp(r.end));
  }

  /** Re-splits, from the text, the lines an edit of lines startLine..endLine could have changed (widened by one each side). */
  private spliceFromText(startLine: number, endLine: number, lineCountBefore: number): void {
    const doc = this.doc!;
    const after = doc.lineCount;
    const from = Math.max(0, startLine - 1);
    const trailing = Math.max(0, lineCountBefore - endLine - 2);
    const newEnd = after - trailing;
    const text = doc.getText();
    const a = doc.offsetAt({ line: from, character: 0 });
    const b = newEnd < after ? doc.offsetAt({ line: newEnd, character: 0 }) : text.length;
    const window = splitLines(text.slice(a, b));
    if (newEnd < after) window.pop(); // the slice ends with the last window line's terminator
    this.splice(from, lineCountBefore - trailing, window);
  }

  private splice(from: number, to: number, replacement: string[]): void {
    if (replacement.length + (to - from) <= SPREAD_LIMIT) this.lines.splice(from, to - from, ...replacement);
    else this.lines = this.lines.slice(0, from).concat(replacement, this.lines.slice(to));
  }

  /** The analysis of the current text under `options`, re-analysing incrementally when it can. */
  analysis(options: AnalysisOptions): Analysis {
    if (this.state && this.analysedVersion === this.currentVersion && this.state.analysis.options === options)
      return this.state.analysis;
    const edited = { lines: this.lines, start: this.start, text: () => this.text };
    if (this.state && this.pending) {
      this.state = reanalyze(this.state, edited, this.pending.change(this.lines.length), options);
    } else if (this.state && this.analysedVersion === this.currentVersion) {
      // Same text, other settings: reanalyze() falls back to a fresh analysis itself when they differ.
      this.state = reanalyze(this.state, edited, { from: 0, oldEnd: 0, newEnd: 0 }, options);
    } else {
      this.state = analyzeIncrementally(this.text, options, this.lines);
    }
    this.lines = this.state.analysis.lines as string[];
    this.pending = undefined;
    this.analysedVersion = this.currentVersion;
    return this.state.analysis;
  }
}
