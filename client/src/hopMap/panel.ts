import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { HOP_MAP_METHOD, type HopMapParams, type HopMapResult } from '../../../server/src/protocol';
import { buildHopMapHtml, hopMapShowMessage, newNonce, type HopMapPageMessage, type HopMapShowMessage } from './html';
import { ENGLISH_LABELS, JAPANESE_LABELS, renderHopMapNotice, renderHopMapSvg, type HopMapLabels } from './render';

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
    });
    panel.webview.onDidReceiveMessage((m: HopMapPageMessage) => this.onMessage(m), undefined, this.subscriptions);
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.document = undefined;
        this.current = undefined;
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
    let markup: string;
    try {
      const params: HopMapParams = { uri: this.client.code2ProtocolConverter.asUri(uri) };
      const map = await this.client.sendRequest<HopMapResult>(HOP_MAP_METHOD, params);
      markup = map ? renderHopMapSvg(map, this.labels) : renderHopMapNotice(this.labels.unavailable);
    } catch (error) {
      markup = renderHopMapNotice(this.labels.failed(error instanceof Error ? error.message : String(error)));
    }
    if (generation !== this.generation || !this.panel) return;
    this.current = hopMapShowMessage(heading, markup);
    void this.panel.webview.postMessage(this.current);
  }

  private onMessage(m: HopMapPageMessage): void {
    // The page may have been (re)loaded after the last update: give it the current picture.
    if (m?.type === 'ready') {
      if (this.current) void this.panel?.webview.postMessage(this.current);
    } else if (m?.type === 'reveal') {
      void this.revealLine(m.line);
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
