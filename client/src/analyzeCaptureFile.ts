import { randomUUID } from 'node:crypto';
import { ProgressLocation, Uri, commands, env, window, type ExtensionContext } from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';

/*
 * "tcpdump Lens: Analyze Capture File…": VS Code does not hand files over 50 MB to extensions, so
 * the server streams the chosen file from disk (server/src/captureFile.ts). Here: the open dialog,
 * a cancellable progress notification fed by the server's work-done progress, and the Problems
 * panel once the findings are published for the file's URI.
 */

const METHOD = 'tcpdumpLens/analyzeCaptureFile';
const REQUEST_CANCELLED = -32800;

interface Result {
  uri: string;
  packets: number;
  warnings: number;
  findings: number;
}

// Words here rather than through vscode.l10n: the strings are few and the Japanese is kept beside them.
const WORDS = {
  en: {
    open: 'Analyze',
    title: 'Choose a capture to analyze',
    text: 'tcpdump text',
    capture: 'pcap / pcapng capture',
    all: 'All files',
    analyzing: (name: string) => `tcpdump Lens: analyzing ${name}`,
    done: (r: Result, name: string) =>
      `${name}: ${r.packets} packets, ${r.warnings} suspicious ${r.warnings === 1 ? 'RST' : 'RSTs'} (${r.findings} findings in the Problems panel).`,
    cancelled: (name: string) => `Analysis of ${name} cancelled.`,
    failed: (name: string, why: string) => `tcpdump Lens could not analyze ${name}: ${why}`,
    notFile: 'Only files on this machine can be analyzed.',
  },
  ja: {
    open: '解析',
    title: '解析するキャプチャを選択',
    text: 'tcpdump テキスト',
    capture: 'pcap / pcapng キャプチャ',
    all: 'すべてのファイル',
    analyzing: (name: string) => `tcpdump Lens: ${name} を解析中`,
    done: (r: Result, name: string) => `${name}: パケット ${r.packets} 個、偽造の疑いがある RST ${r.warnings} 個 (問題パネルに ${r.findings} 件)。`,
    cancelled: (name: string) => `${name} の解析を取り消しました。`,
    failed: (name: string, why: string) => `tcpdump Lens は ${name} を解析できませんでした: ${why}`,
    notFile: 'このマシン上のファイルだけを解析できます。',
  },
};

export function registerAnalyzeCaptureFile(context: ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    commands.registerCommand('tcpdumpLens.analyzeCaptureFile', async (target?: Uri) => {
      const words = /^ja\b/i.test(env.language) ? WORDS.ja : WORDS.en;
      const uri = target instanceof Uri
        ? target
        : (await window.showOpenDialog({
            canSelectMany: false,
            openLabel: words.open,
            title: words.title,
            filters: { [words.text]: ['txt', 'tcpdump', 'log', 'out'], [words.capture]: ['pcap', 'pcapng', 'cap'], [words.all]: ['*'] },
          }))?.[0];
      if (!uri) return;
      if (uri.scheme !== 'file') {
        void window.showErrorMessage(words.notFile);
        return;
      }
      const name = uri.path.split('/').pop() ?? uri.fsPath;
      const token = `tcpdumpLens.analyzeCaptureFile/${randomUUID()}`;
      await window.withProgress({ location: ProgressLocation.Notification, title: words.analyzing(name), cancellable: true }, async (progress, cancel) => {
        let shown = 0;
        const listening = client.onProgress(WorkDoneProgress.type, token, (value) => {
          if (value.kind === 'end' || value.percentage === undefined) return;
          progress.report({ increment: value.percentage - shown, message: value.message });
          shown = value.percentage;
        });
        try {
          const result = await client.sendRequest<Result>(METHOD, { uri: uri.toString(), workDoneToken: token }, cancel);
          void commands.executeCommand('workbench.actions.view.problems');
          void window.showInformationMessage(words.done(result, name));
        } catch (e) {
          if ((e as { code?: number }).code === REQUEST_CANCELLED || cancel.isCancellationRequested) void window.showInformationMessage(words.cancelled(name));
          else void window.showErrorMessage(words.failed(name, e instanceof Error ? e.message : String(e)));
        } finally {
          listening.dispose();
        }
      });
    }),
  );
}
