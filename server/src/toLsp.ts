import { DiagnosticSeverity, MarkupKind, type Diagnostic, type Hover } from 'vscode-languageserver';
import type { Finding } from './core/analyze';
import type { Packet } from './core/packet';

/* The only place where the core's plain data becomes LSP. */

export const DIAGNOSTIC_SOURCE = 'tcpdump-lens';

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  return {
    range: { start: { line: f.startLine, character: f.startCharacter }, end: { line: f.endLine, character: f.endCharacter } },
    severity: f.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: f.code,
    message: f.message,
    relatedInformation: f.related.map((r) => ({
      location: { uri, range: { start: { line: r.line, character: r.startCharacter }, end: { line: r.line, character: r.endCharacter } } },
      message: r.message,
    })),
  };
}

export function toHover(markdown: string, p: Packet): Hover {
  return {
    contents: { kind: MarkupKind.Markdown, value: markdown },
    range: { start: { line: p.startLine, character: 0 }, end: { line: p.endLine, character: p.endLineLength } },
  };
}
