import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../../test/support/lspClient';
import { SeededRandom, type ExpectedFile } from './generate';

/*
 * The language server as an editor sees it: `node dist/server.js --stdio` over real JSON-RPC, as a
 * push client (Neovim 0.7: the server publishes after its 100 ms debounce) or a pull client
 * (vscode-languageclient 11: textDocument/diagnostic, answered at once). Time to the first
 * diagnostics after didOpen of the whole capture, to the new diagnostics after a one-line
 * incremental edit, and hover round trips.
 */

export type DiagnosticsMode = 'push' | 'pull';

export interface LspMeasurement {
  mode: DiagnosticsMode;
  packets: number;
  bytes: number;
  forged: number;
  firstDiagnosticsMs: number;
  editMs: number[];
  hoverMs: number[];
  /** The server process's peak RSS (VmHWM) at the end, where /proc tells it. */
  serverPeakRssBytes?: number;
  /** Why the diagnostics were wrong, if they were. */
  check?: string;
}

const forgedLinesOf = (diagnostics: { code?: string | number; range: { start: { line: number } } }[]): number[] =>
  diagnostics
    .filter((d) => d.code === 'ttl-mismatch')
    .map((d) => d.range.start.line + 1)
    .sort((a, b) => a - b);

/** A Linux process's peak resident set size (VmHWM), or undefined where /proc does not say. */
function peakRssOf(pid: number | undefined): number | undefined {
  const status = pid === undefined ? '' : `/proc/${pid}/status`;
  if (!status || !existsSync(status)) return undefined;
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(status, 'utf8'))?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

export async function measureLsp(
  file: string,
  expected: ExpectedFile,
  mode: DiagnosticsMode,
  edits = 15,
  hovers = 200,
): Promise<LspMeasurement> {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const uri = pathToFileURL(file).href;
  const rng = new SeededRandom(7);
  const client = new LspTestClient('stdio');
  const sameAsExpected = (got: number[]): string | undefined =>
    got.length === expected.forgedLines.length && got.every((l, i) => l === expected.forgedLines[i])
      ? undefined
      : `${got.length} ttl-mismatch diagnostics, ${expected.forgedLines.length} forged RSTs in the file (first lines ${got.slice(0, 3).join(', ')} vs ${expected.forgedLines.slice(0, 3).join(', ')})`;
  const diagnosticsOf = async (version: number) =>
    mode === 'pull'
      ? (await client.pullDiagnostics(uri)).items
      : client.diagnosticsFor(uri, (_, p) => p.version === version, 120000);
  try {
    await client.initialize(
      'en',
      mode === 'pull' ? { textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: {} } } : {},
    );
    let t = performance.now();
    await client.open(uri, text, 1);
    const first = await diagnosticsOf(1);
    const firstDiagnosticsMs = performance.now() - t;
    let check = sameAsExpected(forgedLinesOf(first));

    // One-line edits: bump the microseconds of a timestamp (same length), which changes no verdict.
    const editMs: number[] = [];
    for (let version = 2; version < 2 + edits; version++) {
      let line: number;
      do line = rng.int(0, lines.length - 2);
      while (!/^\d\d:\d\d:\d\d\.\d{6} /.test(lines[line]));
      const old = lines[line][14];
      lines[line] = `${lines[line].slice(0, 14)}${old === '9' ? '0' : String(Number(old) + 1)}${lines[line].slice(15)}`;
      t = performance.now();
      await client.change(uri, version, [
        { range: { start: { line, character: 14 }, end: { line, character: 15 } }, text: lines[line][14] },
      ]);
      const d = await diagnosticsOf(version);
      editMs.push(performance.now() - t);
      check ??= sameAsExpected(forgedLinesOf(d));
    }

    const hoverMs: number[] = [];
    for (let i = 0; i < hovers; i++) {
      const line = rng.int(0, lines.length - 2);
      t = performance.now();
      await client.hover(uri, line, 20);
      hoverMs.push(performance.now() - t);
    }
    return {
      mode,
      serverPeakRssBytes: peakRssOf(client.pid),
      packets: expected.packets,
      bytes: expected.bytes,
      forged: expected.forgedLines.length,
      firstDiagnosticsMs,
      editMs,
      hoverMs,
      check,
    };
  } finally {
    await client.shutdown();
  }
}
