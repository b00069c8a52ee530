import { randomUUID } from 'node:crypto';
import { ProgressLocation, Uri, commands, l10n, window, type ExtensionContext } from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  ANALYZE_CAPTURE_FILE_METHOD,
  type AnalyzeCaptureFileParams,
  type AnalyzeCaptureFileResult,
} from '../../server/src/protocol';

/*
 * "tcpdump Lens: Analyze Capture File…": VS Code does not hand files over 50 MB to extensions, so
 * the server streams the chosen file from disk (server/src/captureFile.ts). Here: the open dialog,
 * a cancellable progress notification fed by the server's work-done progress, and the Problems
 * panel once the findings are published for the file's URI.
 */

const REQUEST_CANCELLED = -32800;

export function registerAnalyzeCaptureFile(context: ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    commands.registerCommand('tcpdumpLens.analyzeCaptureFile', async (target?: Uri) => {
      const uri =
        target instanceof Uri
          ? target
          : (
              await window.showOpenDialog({
                canSelectMany: false,
                openLabel: l10n.t('Analyze'),
                title: l10n.t('Choose a capture to analyze'),
                filters: {
                  [l10n.t('tcpdump text')]: ['txt', 'tcpdump', 'log', 'out'],
                  [l10n.t('pcap / pcapng capture')]: ['pcap', 'pcapng', 'cap'],
                  [l10n.t('All files')]: ['*'],
                },
              })
            )?.[0];
      if (!uri) return;
      if (uri.scheme !== 'file') {
        void window.showErrorMessage(l10n.t('Only files on this machine can be analyzed.'));
        return;
      }
      const name = uri.path.split('/').pop() ?? uri.fsPath;
      const token = `tcpdumpLens.analyzeCaptureFile/${randomUUID()}`;
      await window.withProgress(
        {
          location: ProgressLocation.Notification,
          title: l10n.t('tcpdump Lens: analyzing {0}', name),
          cancellable: true,
        },
        async (progress, cancel) => {
          let shown = 0;
          const listening = client.onProgress(WorkDoneProgress.type, token, (value) => {
            if (value.kind === 'end' || value.percentage === undefined) return;
            progress.report({ increment: value.percentage - shown, message: value.message });
            shown = value.percentage;
          });
          try {
            const params: AnalyzeCaptureFileParams = { uri: uri.toString(), workDoneToken: token };
            const result = await client.sendRequest<AnalyzeCaptureFileResult>(
              ANALYZE_CAPTURE_FILE_METHOD,
              params,
              cancel,
            );
            void commands.executeCommand('workbench.actions.view.problems');
            void window.showInformationMessage(
              result.warnings === 1
                ? l10n.t(
                    '{0}: {1} packets, 1 suspicious RST ({2} findings in the Problems panel).',
                    name,
                    result.packets,
                    result.findings,
                  )
                : l10n.t(
                    '{0}: {1} packets, {2} suspicious RSTs ({3} findings in the Problems panel).',
                    name,
                    result.packets,
                    result.warnings,
                    result.findings,
                  ),
            );
          } catch (e) {
            if ((e as { code?: number }).code === REQUEST_CANCELLED || cancel.isCancellationRequested)
              void window.showInformationMessage(l10n.t('Analysis of {0} canceled.', name));
            else
              void window.showErrorMessage(
                l10n.t('tcpdump Lens could not analyze {0}: {1}', name, e instanceof Error ? e.message : String(e)),
              );
          } finally {
            listening.dispose();
          }
        },
      );
    }),
  );
}
