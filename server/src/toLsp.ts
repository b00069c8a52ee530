import {
  CodeAction,
  CodeActionKind,
  CodeLens,
  DiagnosticSeverity,
  DocumentSymbol,
  InlayHint,
  MarkupKind,
  SymbolKind,
  type Diagnostic,
  type Hover,
} from 'vscode-languageserver';
import type { Finding } from './core/analyze';
import { describeFinding, describeRelated } from './core/describe';
import { displayText } from './core/displayText';
import type { DeviceTreeNode, FindingAction } from './core/editorViews';
import type { HoverResult } from './core/hover';
import type { Locale } from './core/options';
import type { ConversationSymbol, HopHint } from './core/outline';
import { COPY_REPORT_COMMAND, COPY_TEXT_COMMAND, SHOW_HOP_MAP_COMMAND, SHOW_PACKETS_COMMAND } from './protocol';

/*
 * The only place where the core's plain data becomes LSP. Everything here is read by a person, so
 * every word passes through displayText: capture text (host names) cannot carry control or bidi
 * characters into the editor's UI. Findings are worded here, in the client's language.
 */

export const DIAGNOSTIC_SOURCE = 'tcpdump-lens';

export function toDiagnostic(f: Finding, uri: string, locale: Locale): Diagnostic {
  return {
    range: {
      start: { line: f.startLine, character: f.startCharacter },
      end: { line: f.endLine, character: f.endCharacter },
    },
    severity: f.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: f.code,
    message: displayText(describeFinding(f, locale)),
    relatedInformation: f.related.map((r) => ({
      location: {
        uri,
        range: {
          start: { line: r.line, character: r.startCharacter },
          end: { line: r.line, character: r.endCharacter },
        },
      },
      message: displayText(describeRelated(r, locale)),
    })),
    ...(f.confidence ? { data: { confidence: f.confidence } } : {}),
  };
}

export function toHover(h: HoverResult): Hover {
  const p = h.packet;
  return {
    contents: { kind: MarkupKind.Markdown, value: displayText(h.markdown, true) },
    range: p
      ? { start: { line: p.startLine, character: 0 }, end: { line: p.endLine, character: p.endLineLength } }
      : { start: { line: h.line, character: h.start }, end: { line: h.line, character: h.end } },
  };
}

export function toDocumentSymbol(c: ConversationSymbol): DocumentSymbol {
  return DocumentSymbol.create(
    displayText(c.name),
    displayText(c.detail),
    SymbolKind.Event,
    { start: { line: c.startLine, character: 0 }, end: { line: c.endLine, character: c.endCharacter } },
    { start: { line: c.selectionLine, character: 0 }, end: { line: c.selectionLine, character: c.selectionEnd } },
  );
}

export function toInlayHint(h: HopHint): InlayHint {
  return { position: { line: h.line, character: h.character }, label: displayText(h.label), paddingLeft: true };
}

export function toCodeLens(line: number, title: string, command: string): CodeLens {
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    command: { title: displayText(title), command },
  };
}

/** A finding's action as a quick fix that runs a client command (protocol.ts). */
export function toCodeAction(a: FindingAction, uri: string, diagnostic: Diagnostic | undefined): CodeAction {
  const title = displayText(a.title);
  const command = (() => {
    switch (a.kind) {
      case 'copy-report':
        return { title, command: COPY_REPORT_COMMAND, arguments: [uri, a.device] };
      case 'hop-map':
        return { title, command: SHOW_HOP_MAP_COMMAND };
      case 'own-packets':
        return { title, command: SHOW_PACKETS_COMMAND, arguments: [uri, a.at, a.packets] };
      case 'copy-command':
        return { title, command: COPY_TEXT_COMMAND, arguments: [a.text] };
    }
  })();
  return {
    title,
    kind: CodeActionKind.QuickFix,
    ...(diagnostic ? { diagnostics: [diagnostic] } : {}),
    command,
  };
}

/** The devices tree with every word made safe to show. */
export function displayTree(nodes: DeviceTreeNode[]): DeviceTreeNode[] {
  return nodes.map((n) => ({
    ...n,
    label: displayText(n.label),
    ...(n.description !== undefined ? { description: displayText(n.description) } : {}),
    ...(n.tooltip !== undefined ? { tooltip: displayText(n.tooltip) } : {}),
    ...(n.children ? { children: displayTree(n.children) } : {}),
  }));
}

/** A document's name for a report title: the last path segment of its URI, decoded. */
export function fileNameOf(uri: string): string {
  const last =
    uri
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() ?? uri;
  try {
    return decodeURIComponent(last) || uri;
  } catch {
    return last || uri;
  }
}
