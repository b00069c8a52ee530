import {
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
import type { HoverResult } from './core/hover';
import type { Locale } from './core/options';
import type { ConversationSymbol, HopHint } from './core/outline';

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
