import { RequestType, type Connection } from 'vscode-languageserver';
import type { Analysis } from './core/analyze';
import { captureStatus, deviceTree, documentReport } from './core/editorViews';
import type { Locale } from './core/options';
import { REPORT_METHOD, type ReportParams, type ReportResponse } from './protocol';
import { displayTree, fileNameOf } from './toLsp';
import { displayText } from './core/displayText';

/** The report request of protocol.ts, typed for vscode-languageserver. */
export const REPORT_REQUEST = new RequestType<ReportParams, ReportResponse, void>(REPORT_METHOD);

/**
 * Answers report requests from the analysis the server keeps for the document, in the client's
 * language, so the report, the status bar and the tree agree with the diagnostics.
 */
export function registerReportRequest(
  connection: Connection,
  analysisFor: (uri: string) => Promise<Analysis | undefined>,
  locale: () => Locale,
): void {
  connection.onRequest(REPORT_REQUEST, async (params) => {
    // The params come over the wire: do not trust their shape.
    if (typeof params?.uri !== 'string') return null;
    const device = typeof params.device === 'number' && Number.isInteger(params.device) ? params.device : undefined;
    const analysis = await analysisFor(params.uri);
    if (!analysis) return null;
    const file = fileNameOf(params.uri);
    const l = locale();
    const status = captureStatus(analysis, l);
    return {
      file: displayText(file),
      markdown: displayText(documentReport(analysis, file, l, device), true),
      status: { ...status, summaries: status.summaries.map((s) => displayText(s)) },
      tree: displayTree(deviceTree(analysis.devices, l)),
    };
  });
}
