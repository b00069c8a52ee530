import {
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from './core/analyze';
import { hoverAt } from './core/hover';
import { conversations, documentSummary, hopHints } from './core/outline';
import type { Locale } from './core/options';
import { localeFromTag, settingsFrom, type LensSettings } from './settings';
import { toCodeLens, toDiagnostic, toDocumentSymbol, toHover, toInlayHint } from './toLsp';
import { registerHopMapRequest } from './hopMapRequest';

/**
 * Wires the core to an LSP connection. It takes the connection instead of creating one, so tests
 * can drive it over any JSON-RPC transport.
 */
export function startLanguageServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; analysis: Analysis }>();
  const settingsCache = new Map<string, Promise<LensSettings>>();
  let locale: Locale = 'en';
  let canPullConfiguration = false;
  let canRefreshInlayHints = false;
  let canRefreshCodeLens = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    locale = localeFromTag(params.locale);
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRefreshInlayHints = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    canRefreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        inlayHintProvider: true,
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
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

  async function analysisOf(doc: TextDocument): Promise<Analysis | undefined> {
    const settings = await settingsFor(doc.uri);
    if (!settings.enable) return undefined;
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    const analysis = analyze(doc.getText(), settings.options);
    analyses.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  }

  async function validate(doc: TextDocument): Promise<void> {
    const analysis = await analysisOf(doc);
    // A newer version may have arrived while settings were fetched: its own run will publish.
    if (documents.get(doc.uri)?.version !== doc.version) return;
    const diagnostics = analysis ? analysis.findings.map((f) => toDiagnostic(f, doc.uri)) : [];
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  documents.onDidChangeContent((e) => void validate(e.document));
  documents.onDidClose((e) => {
    analyses.delete(e.document.uri);
    settingsCache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    analyses.clear();
    for (const doc of documents.all()) void validate(doc);
    // Hints and lenses depend on settings too; ask the client to pull them again when it can.
    if (canRefreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (canRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });

  registerHopMapRequest(connection, async (uri) => {
    const doc = documents.get(uri);
    return doc && analysisOf(doc);
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const analysis = await analysisOf(doc);
    if (!analysis) return null;
    const hover = hoverAt(analysis, params.position.line, params.position.character);
    return hover ? toHover(hover) : null;
  });

  connection.languages.inlayHint.on(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !(await settingsFor(doc.uri)).inlayHints) return [];
    const analysis = await analysisOf(doc);
    return analysis ? hopHints(analysis, params.range.start.line, params.range.end.line).map(toInlayHint) : [];
  });

  connection.onDocumentSymbol(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const analysis = doc && (await analysisOf(doc));
    return analysis ? conversations(analysis).map(toDocumentSymbol) : [];
  });

  connection.onCodeLens(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const analysis = doc && (await analysisOf(doc));
    const summary = analysis && documentSummary(analysis);
    return summary ? [toCodeLens(summary.line, summary.text, 'workbench.actions.view.problems')] : [];
  });

  documents.listen(connection);
  connection.listen();
}
