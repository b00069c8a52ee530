import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Analysis } from './core/analyze';
import { PendingLineChange, analyzeIncrementally, reanalyze, type IncrementalState } from './core/incrementalAnalysis';
import type { AnalysisOptions } from './core/options';
import { splitLines } from './core/parse';

/** Above this many lines a window is spliced by copying, not spread into Array.splice's arguments. */
const SPREAD_LIMIT = 10_000;

/**
 * One open document: its text, its lines (kept equal to splitLines(text) edit by edit, so an edit
 * costs its own lines, not the document's), and the latest analysis with the edits made since.
 */
export class DocumentState {
  private doc: TextDocument;
  private lines: string[];
  private state: IncrementalState | undefined;
  private analysedVersion = -1;
  private pending: PendingLineChange | undefined;

  constructor(uri: string, languageId: string, version: number, text: string) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.lines = splitLines(text);
  }

  get uri(): string {
    return this.doc.uri;
  }

  get version(): number {
    return this.doc.version;
  }

  /** The analysis is for the current text (no edits since). */
  get upToDate(): boolean {
    return this.state !== undefined && this.analysedVersion === this.doc.version;
  }

  get latest(): Analysis | undefined {
    return this.state?.analysis;
  }

  get latestVersion(): number {
    return this.analysedVersion;
  }

  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.doc = TextDocument.update(this.doc, [change], version);
        this.lines = splitLines(this.doc.getText());
        this.pending = undefined;
        this.state = undefined; // a whole new text: analyse from scratch
        continue;
      }
      const before = this.doc.lineCount;
      const { start, end } = change.range;
      this.doc = TextDocument.update(this.doc, [change], version);
      this.pending?.add(start.line, end.line, before);
      if (this.state && !this.pending) {
        this.pending = new PendingLineChange(this.state.analysis.lines.length);
        this.pending.add(start.line, end.line, before);
      }
      this.spliceLines(start.line, end.line, before);
    }
    // Defensive: the line model must match the text exactly, or results would not equal a fresh analysis.
    if (this.lines.length !== this.doc.lineCount) {
      this.lines = splitLines(this.doc.getText());
      this.state = undefined;
      this.pending = undefined;
    }
    this.doc = TextDocument.update(this.doc, [], version);
  }

  /** Re-splits the lines an edit of lines startLine..endLine could have changed (widened by one each side). */
  private spliceLines(startLine: number, endLine: number, lineCountBefore: number): void {
    const after = this.doc.lineCount;
    const from = Math.max(0, startLine - 1);
    const trailing = Math.max(0, lineCountBefore - endLine - 2);
    const oldEnd = lineCountBefore - trailing;
    const newEnd = after - trailing;
    const text = this.doc.getText();
    const a = this.doc.offsetAt({ line: from, character: 0 });
    const b = newEnd < after ? this.doc.offsetAt({ line: newEnd, character: 0 }) : text.length;
    const window = splitLines(text.slice(a, b));
    if (newEnd < after) window.pop(); // the slice ends with the last window line's terminator
    if (window.length + (oldEnd - from) <= SPREAD_LIMIT) this.lines.splice(from, oldEnd - from, ...window);
    else this.lines = this.lines.slice(0, from).concat(window, this.lines.slice(oldEnd));
  }

  /** The analysis of the current text under `options`, re-analysing incrementally when it can. */
  analysis(options: AnalysisOptions): Analysis {
    if (this.state && this.analysedVersion === this.doc.version && this.state.analysis.options === options) return this.state.analysis;
    const text = this.doc.getText();
    if (this.state && this.pending) {
      this.state = reanalyze(this.state, text, this.lines, this.pending.change(this.lines.length), options);
    } else if (this.state && this.analysedVersion === this.doc.version) {
      // Same text, other settings: reanalyze() falls back to a fresh analysis itself.
      this.state = reanalyze(this.state, text, this.lines, { from: 0, oldEnd: 0, newEnd: 0 }, options);
    } else {
      this.state = analyzeIncrementally(text, options);
      this.lines = this.state.analysis.lines as string[];
    }
    this.lines = this.state.analysis.lines as string[];
    this.pending = undefined;
    this.analysedVersion = this.doc.version;
    return this.state.analysis;
  }
}
