import * as vscode from 'vscode';

/*
 * VS Code's built-in `.txt`/`.log` associations win over a language's `firstLine` pattern, so
 * `capture.txt` holding tcpdump output would open as Plain Text and never be analysed. When a
 * plain-text document's first line is what tcpdump prints (the manifest's own `firstLine`
 * pattern, one source of truth), it gets the tcpdump language. Only `plaintext` is touched: a
 * language the user picked, or any other association, is left alone.
 */

/** The tcpdump language's `firstLine` pattern from the extension's manifest. */
export function tcpdumpFirstLine(packageJson: unknown): RegExp | undefined {
  const languages =
    (packageJson as { contributes?: { languages?: { id?: string; firstLine?: string }[] } })?.contributes?.languages ??
    [];
  const pattern = languages.find((l) => l.id === 'tcpdump')?.firstLine;
  return pattern ? new RegExp(pattern) : undefined;
}

export function registerPlainTextCaptures(context: vscode.ExtensionContext): void {
  const firstLine = tcpdumpFirstLine(context.extension.packageJSON);
  if (!firstLine) return;
  // A document the user switched back to Plain Text stays so.
  const declined = new Set<string>();
  const adopt = (doc: vscode.TextDocument): void => {
    if (doc.languageId !== 'plaintext' || doc.lineCount === 0 || declined.has(doc.uri.toString())) return;
    if (!firstLine.test(doc.lineAt(0).text)) return;
    declined.add(doc.uri.toString());
    void vscode.languages.setTextDocumentLanguage(doc, 'tcpdump');
  };
  vscode.workspace.textDocuments.forEach(adopt);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(adopt),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      // Closed for good (not just re-opened under another language): forget it.
      if (doc.languageId === 'plaintext') return;
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === doc.uri.toString()))
        declined.delete(doc.uri.toString());
    }),
  );
}
