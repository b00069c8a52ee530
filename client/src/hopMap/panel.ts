import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { HopMap } from '../../../server/src/core/hopMap';
import { HOP_MAP_METHOD, type HopMapParams, type HopMapResult } from '../../../server/src/protocol';
import {
  buildHopMapHtml,
  filterText,
  hopMapShowMessage,
  newNonce,
  type HopMapPageMessage,
  type HopMapShowMessage,
} from './html';
import {
  ENGLISH_LABELS,
  JAPANESE_LABELS,
  MAX_SOURCE_LANES,
  hasMore,
  hopMapStatus,
  layoutHopMap,
  renderHopMapNotice,
  type HopMapCounts,
  type HopMapLabels,
  type HopMapView,
} from './render';

/** Edits arrive keystroke by keystroke; redraw once typing pauses. */
const UPDATE_DELAY_MS = 300;

export const isTcpdumpDocument = (doc: vscode.TextDocument): boolean => doc.languageId === 'tcpdump';

/**
 * The one hop-map panel: follows the active tcpdump editor, redraws when its document changes,
 * and turns clicks on markers into a revealed line in that editor.
 */
export class HopMapPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.Uri | undefined;
  /** Column of the editor the map belongs to, so "reveal" goes back there, not into the map's column. */
  private editorColumn: vscode.ViewColumn | undefined;
  private current: HopMapShowMessage | undefined;
  /** The last answer for the document (or why there is none), kept so a filter redraws without asking again. */
  private answer: { heading: string; map?: HopMap; notice?: string } | undefined;
  /** The filter typed into the page and how many pages of sources it asked for. */
  private view: HopMapView = { filter: '', pages: 1 };
  /** What the last drawing showed of what there is ("show more" is ignored when nothing is left). */
  private counts: HopMapCounts | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped per request: an answer for an older request (or another document) is dropped. */
  private generation = 0;
  private readonly labels: HopMapLabels = vscode.env.language.toLowerCase().startsWith('ja')
    ? JAPANESE_LABELS
    : ENGLISH_LABELS;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly client: LanguageClient) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && editor && isTcpdumpDocument(editor.document)) this.follow(editor);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && this.document?.toString() === e.document.uri.toString() && e.contentChanges.length > 0)
          this.scheduleUpdate();
      }),
    );
  }

  show(editor: vscode.TextEditor): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
    } else {
      this.panel = this.createPanel(editor.viewColumn);
    }
    this.follow(editor);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private createPanel(besideOf: vscode.ViewColumn | undefined): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(
      'tcpdumpLens.hopMap',
      this.labels.panelTitle,
      { viewColumn: besideOf === undefined ? vscode.ViewColumn.Beside : besideOf + 1, preserveFocus: true },
      // Scripts only for the click handler; the page loads nothing, so no local resource roots either.
      { enableScripts: true, localResourceRoots: [] },
    );
    panel.webview.html = buildHopMapHtml({
      cspSource: panel.webview.cspSource,
      nonce: newNonce(),
      title: this.labels.panelTitle,
      markup: '',
      lang: vscode.env.language,
      filterPlaceholder: this.labels.filterPlaceholder,
    });
    panel.webview.onDidReceiveMessage((m: HopMapPageMessage) => this.onMessage(m), undefined, this.subscriptions);
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.document = undefined;
        this.current = undefined;
        this.answer = undefined;
        this.view = { filter: '', pages: 1 };
        clearTimeout(this.timer);
      },
      undefined,
      this.subscriptions,
    );
    return panel;
  }

  private follow(editor: vscode.TextEditor): void {
    this.editorColumn = editor.viewColumn ?? this.editorColumn;
    if (this.document?.toString() === editor.document.uri.toString()) return;
    this.document = editor.document.uri;
    void this.update();
  }

  private scheduleUpdate(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), UPDATE_DELAY_MS);
  }

  private async update(): Promise<void> {
    const uri = this.document;
    if (!this.panel || !uri) return;
    const generation = ++this.generation;
    const heading = this.labels.heading(path.posix.basename(uri.path));
    let answer: { heading: string; map?: HopMap; notice?: string };
    try {
      const params: HopMapParams = { uri: this.client.code2ProtocolConverter.asUri(uri) };
      const map = await this.client.sendRequest<HopMapResult>(HOP_MAP_METHOD, params);
      answer = map ? { heading, map } : { heading, notice: this.labels.unavailable };
    } catch (error) {
      answer = { heading, notice: this.labels.failed(error instanceof Error ? error.message : String(error)) };
    }
    if (generation !== this.generation || !this.panel) return;
    this.answer = answer;
    this.present();
  }

  /** Draws the last answer with the current filter and page count, and posts it to the page. */
  private present(): void {
    const answer = this.answer;
    if (!this.panel || !answer) return;
    const filter = this.view.filter ?? '';
    this.counts = undefined;
    if (!answer.map) {
      this.current = hopMapShowMessage(answer.heading, renderHopMapNotice(answer.notice ?? ''), '', undefined, filter);
    } else {
      const layout = layoutHopMap(answer.map, this.labels, this.view);
      this.counts = layout.counts;
      const more = hasMore(layout.counts) ? this.labels.showMore(MAX_SOURCE_LANES) : undefined;
      const status = hopMapStatus(layout, this.labels, this.view);
      this.current = hopMapShowMessage(answer.heading, layout.markup, status, more, filter);
    }
    void this.panel.webview.postMessage(this.current);
  }

  private onMessage(m: HopMapPageMessage): void {
    // The page may have been (re)loaded after the last update: give it the current picture.
    if (m?.type === 'ready') {
      if (this.current) void this.panel?.webview.postMessage(this.current);
    } else if (m?.type === 'reveal') {
      void this.revealLine(m.line);
    } else if (m?.type === 'filter') {
      const text = filterText(m);
      if (text === undefined || text === this.view.filter) return;
      this.view = { filter: text, pages: 1 };
      this.present();
    } else if (m?.type === 'more') {
      if (!this.counts || !hasMore(this.counts)) return;
      this.view = { ...this.view, pages: (this.view.pages ?? 1) + 1 };
      this.present();
    }
  }

  private async revealLine(line: unknown): Promise<void> {
    const uri = this.document;
    if (!uri || typeof line !== 'number' || !Number.isInteger(line) || line < 0) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    if (line >= doc.lineCount) return;
    const range = doc.lineAt(line).range;
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: open?.viewColumn ?? this.editorColumn ?? vscode.ViewColumn.One,
      selection: range,
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}
