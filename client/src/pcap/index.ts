import * as vscode from 'vscode';
import { displayText } from '../../../server/src/core/displayText';
import {
  CAPTURE_SCHEME,
  CAPTURE_TEXT_SUFFIX,
  CAPTURE_VIEW_TYPE,
  captureDocumentText,
  captureFileOf,
  notACapture,
  readFailureText,
} from './captureText';

/*
 * Binary captures in the editor. Opening a .pcap/.pcapng/.cap goes to a read-only custom editor,
 * which hands over to a text document of scheme `tcpdump-pcap` holding the capture decoded to
 * tcpdump -nv text (language tcpdump): highlighting, the language server's diagnostics, hovers
 * and the hop map then work on it as on any tcpdump text. The capture file itself is never written.
 */

/** `tcpdump-pcap:/dir/x.pcap.tcpdump?<the capture's own URI>`: the path gives title and language. */
export function captureTextUri(capture: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({
    scheme: CAPTURE_SCHEME,
    path: capture.path + CAPTURE_TEXT_SUFFIX,
    query: capture.toString(),
  });
}

/** A `tcpdump-pcap:` URI that must not be read: opening it fails with this, and nothing is shown. */
function refusal(textUri: vscode.Uri, why: string): Error {
  return new Error(vscode.l10n.t('tcpdump Lens will not open {0}: {1}', displayText(textUri.toString(true)), why));
}

/**
 * The capture a `tcpdump-pcap:` document shows, checked (captureFileOf): anything may hand VS Code
 * such a URI, and it must not make the viewer read another file.
 */
export function captureUriOf(textUri: vscode.Uri): vscode.Uri {
  const checked = captureFileOf(textUri);
  if ('refused' in checked) throw refusal(textUri, checked.refused);
  // Built from the checked parts only: what is read is what was checked.
  return vscode.Uri.from(checked.file);
}

class CaptureTextProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const capture = captureUriOf(uri);
    const failed = (e: unknown): string =>
      readFailureText(capture.fsPath || capture.toString(), e instanceof Error ? e.message : String(e));
    let bytes: Uint8Array | undefined;
    try {
      // A FIFO or a device (/dev/zero behind a symlink) would never end: regular files only.
      const regular = ((await vscode.workspace.fs.stat(capture)).type & vscode.FileType.File) !== 0;
      // workspace.fs reads remote and virtual workspaces too.
      if (regular) bytes = await vscode.workspace.fs.readFile(capture);
    } catch (e) {
      return failed(e);
    }
    if (!bytes) throw refusal(uri, 'not a regular file');
    const foreign = notACapture(bytes);
    if (foreign) throw refusal(uri, foreign);
    return captureDocumentText(bytes);
  }

  captureChanged(capture: vscode.Uri): void {
    this.changed.fire(captureTextUri(capture));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens a capture's decoded text (language tcpdump), read-only. */
export async function openCaptureAsText(
  capture: vscode.Uri,
  viewColumn?: vscode.ViewColumn,
): Promise<vscode.TextEditor> {
  let doc = await vscode.workspace.openTextDocument(captureTextUri(capture));
  if (doc.languageId !== 'tcpdump') doc = await vscode.languages.setTextDocumentLanguage(doc, 'tcpdump');
  return vscode.window.showTextDocument(doc, { viewColumn, preview: false });
}

/** The custom editor only redirects: its webview closes once the text document is shown. */
class CaptureEditorProvider implements vscode.CustomReadonlyEditorProvider {
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: false };
    panel.webview.html =
      '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\';"></head><body><p>Opening the capture as tcpdump text…</p></body></html>';
    try {
      await openCaptureAsText(document.uri, panel.viewColumn);
    } finally {
      panel.dispose();
    }
  }
}

export function registerCaptureViewer(context: vscode.ExtensionContext): void {
  const provider = new CaptureTextProvider();
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{pcap,pcapng,cap}');
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(CAPTURE_SCHEME, provider),
    vscode.window.registerCustomEditorProvider(CAPTURE_VIEW_TYPE, new CaptureEditorProvider(), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('tcpdumpLens.openCaptureAsText', async (uri?: vscode.Uri) => {
      const target =
        uri ??
        (
          await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Captures: ['pcap', 'pcapng', 'cap'] } })
        )?.[0];
      if (target) await openCaptureAsText(target);
    }),
    watcher,
    watcher.onDidChange((u) => provider.captureChanged(u)),
    watcher.onDidCreate((u) => provider.captureChanged(u)),
  );
}
