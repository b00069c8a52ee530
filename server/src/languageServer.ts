import {
  CodeActionKind,
  DocumentDiagnosticReportKind,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import type { Analysis, Finding } from './core/analyze';
import { findingActions } from './core/editorViews';
import { hoverAt } from './core/hover';
import { conversations, documentSummary, hopHints } from './core/outline';
import type { Locale } from './core/options';
import { DocumentState } from './documentState';
import { registerHopMapRequest } from './hopMapRequest';
import { registerCaptureFileRequest } from './captureFile';
import { registerReportRequest } from './reportRequest';
import { localeFromTag, settingsFrom, type LensSettings } from './settings';
import { toCodeAction, toCodeLens, toDiagnostic, toDocumentSymbol, toHover, toInlayHint } from './toLsp';

export interface LanguageServerOptions {
  /** Quiet time after the last edit before a document is re-analysed and its diagnostics sent. */
  debounceMs?: number;
}

export const DEFAULT_DEBOUNCE_MS = 100;

/**
 * Wires the core to an LSP connection. It takes the connection instead of creating one, so tests
 * can drive it over any JSON-RPC transport.
 *
 * Edits are applied to each document's line model at once and analysed after a quiet time
 * (debounce), incrementally (DocumentState); a burst of edits costs one analysis, for its last
 * version. Requests (hover, hints, symbols, lenses, pulled diagnostics) never wait for the quiet
 * time: they analyse what is pending right away and answer from that analysis, by index.
 * Diagnostics are pulled (LSP 3.17 textDocument/diagnostic) when the client can, pushed otherwise.
 */
export function startLanguageServer(connection: Connection, serverOptions: LanguageServerOptions = {}): void {
  const documents = new Map<string, DocumentState>();
  const timers = new Map<string, NodeJS.Timeout>();
  const settingsCache = new Map<string, Promise<LensSettings>>();
  let debounceMs = serverOptions.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let locale: Locale = 'en';
  let canPullConfiguration = false;
  let canRefreshInlayHints = false;
  let canRefreshCodeLens = false;
  let pullDiagnostics = false;
  let canRefreshDiagnostics = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    locale = localeFromTag(params.locale);
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRefreshInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    canRefreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    pullDiagnostics = params.capabilities.textDocument?.diagnostic !== undefined;
    canRefreshDiagnostics = params.capabilities.workspace?.diagnostics?.refreshSupport === true;
    // Tests lengthen the quiet time so that "one analysis per burst" does not depend on machine speed.
    const init = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (
      typeof init?.debounceMs === 'number' &&
      Number.isFinite(init.debounceMs) &&
      init.debounceMs >= 0 &&
      init.debounceMs <= 60_000
    )
      debounceMs = init.debounceMs;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        inlayHintProvider: true,
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        ...(pullDiagnostics
          ? {
              diagnosticProvider: {
                identifier: 'tcpdump-lens',
                interFileDependencies: false,
                workspaceDiagnostics: false,
              },
            }
          : {}),
      },
      serverInfo: { name: 'tcpdump-lens' },
    };
  });

  function settingsFor(uri: string): Promise<LensSettings> {
    let s = settingsCache.get(uri);
    if (!s) {
      s = canPullConfiguration
        ? connection.workspace.getConfiguration({ scopeUri: uri, section: 'tcpdumpLens' }).then(
            (raw) => settingsFrom(raw, locale),
            () => settingsFrom(undefined, locale),
          )
        : Promise.resolve(settingsFrom(undefined, locale));
      settingsCache.set(uri, s);
    }
    return s;
  }

  /** The analysis of the document's current text, or undefined (closed, or analysis disabled). */
  async function analysisOf(uri: string): Promise<Analysis | undefined> {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const settings = await settingsFor(uri);
    // The document may have been closed while the settings were fetched.
    if (documents.get(uri) !== doc || !settings.enable) return undefined;
    return doc.analysis(settings.options);
  }

  async function diagnosticsOf(uri: string): Promise<{ version: number; diagnostics: Diagnostic[] } | undefined> {
    const analysis = await analysisOf(uri);
    const doc = documents.get(uri);
    if (!doc) return undefined;
    return { version: doc.version, diagnostics: analysis ? analysis.findings.map((f) => diagnosticOf(f, uri)) : [] };
  }

  // An incremental re-analysis keeps the findings it did not touch: so do their diagnostics.
  const diagnosticCache = new WeakMap<Finding, { uri: string; diagnostic: Diagnostic }>();
  function diagnosticOf(f: Finding, uri: string): Diagnostic {
    const hit = diagnosticCache.get(f);
    if (hit && hit.uri === uri) return hit.diagnostic;
    const diagnostic = toDiagnostic(f, uri, locale);
    diagnosticCache.set(f, { uri, diagnostic });
    return diagnostic;
  }

  /** Push clients: analyse and publish, unless a newer version came in meanwhile (its own run publishes). */
  async function publish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    const result = await diagnosticsOf(uri);
    if (!result || documents.get(uri) !== doc || doc.version !== version || timers.has(uri)) return;
    await connection.sendDiagnostics({ uri, version: result.version, diagnostics: result.diagnostics });
  }

  function schedule(uri: string, delayMs: number): void {
    clearTimeout(timers.get(uri));
    if (pullDiagnostics) return; // the client asks when it wants them; requests analyse what is pending
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        void publish(uri).catch((e) =>
          connection.console.error(`tcpdump-lens: ${e instanceof Error ? e.stack : String(e)}`),
        );
      }, delayMs),
    );
  }

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    documents.set(t.uri, new DocumentState(t.uri, t.languageId, t.version, t.text));
    schedule(t.uri, 0);
  });

  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const doc = documents.get(t.uri);
    if (!doc) return;
    doc.applyChanges(contentChanges, t.version);
    schedule(t.uri, debounceMs);
  });

  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    clearTimeout(timers.get(t.uri));
    timers.delete(t.uri);
    documents.delete(t.uri);
    settingsCache.delete(t.uri);
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    if (pullDiagnostics) {
      if (canRefreshDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
    } else for (const uri of documents.keys()) schedule(uri, 0);
    // Hints and lenses depend on settings too; ask the client to pull them again when it can.
    if (canRefreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (canRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });

  connection.languages.diagnostics.on(async (params): Promise<DocumentDiagnosticReport> => {
    const result = await diagnosticsOf(params.textDocument.uri);
    return {
      kind: DocumentDiagnosticReportKind.Full,
      resultId: result ? String(result.version) : undefined,
      items: result?.diagnostics ?? [],
    };
  });

  registerHopMapRequest(connection, (uri) => analysisOf(uri));
  registerReportRequest(
    connection,
    (uri) => analysisOf(uri),
    () => locale,
  );
  registerCaptureFileRequest(
    connection,
    async (uri) => (await settingsFor(uri)).options,
    () => locale,
  );

  connection.onHover(async (params) => {
    const analysis = await analysisOf(params.textDocument.uri);
    if (!analysis) return null;
    const hover = hoverAt(analysis, params.position.line, params.position.character, locale);
    return hover ? toHover(hover) : null;
  });

  connection.languages.inlayHint.on(async (params) => {
    const uri = params.textDocument.uri;
    if (!documents.has(uri) || !(await settingsFor(uri)).inlayHints) return [];
    const analysis = await analysisOf(uri);
    return analysis ? hopHints(analysis, params.range.start.line, params.range.end.line, locale).map(toInlayHint) : [];
  });

  connection.onDocumentSymbol(async (params) => {
    const analysis = await analysisOf(params.textDocument.uri);
    return analysis ? conversations(analysis, locale).map(toDocumentSymbol) : [];
  });

  connection.onCodeLens(async (params) => {
    const analysis = await analysisOf(params.textDocument.uri);
    const summary = analysis && documentSummary(analysis, locale);
    return summary ? [toCodeLens(summary.line, summary.text, 'workbench.actions.view.problems')] : [];
  });

  // Quick fixes (Ctrl+.) on the findings under the cursor or selection: copy the device's report,
  // the hop map, the claimed host's own packets; on the no-TTL note, the command that prints TTLs.
  connection.onCodeAction(async (params) => {
    const uri = params.textDocument.uri;
    const analysis = await analysisOf(uri);
    if (!analysis) return [];
    const only = params.context.only;
    if (
      only &&
      !only.some((k) => k === '' || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`))
    )
      return [];
    const { start, end } = params.range;
    return analysis.findings
      .filter((f) => f.startLine <= end.line && f.endLine >= start.line)
      .flatMap((f) => findingActions(analysis, f, locale).map((a) => toCodeAction(a, uri, diagnosticOf(f, uri))));
  });

  connection.listen();
}
