import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  createConnection as createServerConnection,
  ProposedFeatures,
  type Connection,
} from 'vscode-languageserver/node';
import { startLanguageServer } from '../../server/src/languageServer';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** A diagnostic's message as text (LSP 3.18 lets it be Markdown). */
export const messageOf = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);

export const SERVER_JS = path.join(REPO_ROOT, 'dist', 'server.js');

/**
 * A real LSP client for tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to it,
 * answering `workspace/configuration` from `settings` and recording pushed diagnostics.
 */
export class LspTestClient {
  readonly connection: ProtocolConnection;
  private readonly child?: ChildProcess;
  private readonly server?: Connection;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics received, in order (uri and version), for tests that count them. */
  readonly published: { uri: string; version?: number }[] = [];
  /** Server-to-client requests received, by method (refreshes, configuration ...). */
  readonly serverRequests = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
  settings: Record<string, unknown> = {};
  stderr = '';

  /**
   * `in-process` (the default) runs startLanguageServer from the sources over a pair of in-memory
   * streams, as vscode-languageserver-node's own tests do: the handlers, JSON-RPC included, in
   * milliseconds. `stdio` spawns the bundle as an editor does, for the tests that prove the bundle.
   */
  constructor(readonly transport: 'in-process' | 'stdio' = 'in-process') {
    let reader: NodeJS.ReadableStream;
    let writer: NodeJS.WritableStream;
    if (transport === 'stdio') {
      const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
      this.child = child;
      [reader, writer] = [child.stdout, child.stdin];
    } else {
      const toServer = new PassThrough();
      const toClient = new PassThrough();
      this.server = createServerConnection(
        ProposedFeatures.all,
        new StreamMessageReader(toServer),
        new StreamMessageWriter(toClient),
      );
      // What the server logs (connection.console) arrives as window/logMessage: keep it as stderr.
      startLanguageServer(this.server);
      [reader, writer] = [toClient, toServer];
    }
    this.connection = createProtocolConnection(new StreamMessageReader(reader), new StreamMessageWriter(writer));
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.stderr += `${p.message}\n`;
    });
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.published.push({ uri: p.uri, version: p.version });
      for (const w of this.waiters.splice(0)) w();
    });
    const count = (method: string): void =>
      void this.serverRequests.set(method, (this.serverRequests.get(method) ?? 0) + 1);
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      count('workspace/configuration');
      return p.items.map((i) => (i.section === 'tcpdumpLens' ? this.settings : null));
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    for (const method of [
      'workspace/diagnostic/refresh',
      'workspace/inlayHint/refresh',
      'workspace/codeLens/refresh',
    ]) {
      this.connection.onRequest(method, () => {
        count(method);
        return null;
      });
    }
    this.connection.listen();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the server process is gone (an in-process server cannot exit without taking the test along). */
  get exited(): boolean {
    return this.child !== undefined && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  async initialize(
    locale = 'en',
    capabilities: Record<string, unknown> = {},
    initializationOptions?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const result = await this.connection.sendRequest('initialize', {
      // A process id starts the server's watchdog timer on it: pointless (and never cleared) in-process.
      processId: this.child ? process.pid : null,
      rootUri: null,
      locale,
      capabilities: {
        workspace: { configuration: true },
        textDocument: { hover: { contentFormat: ['markdown'] } },
        ...capabilities,
      },
      ...(initializationOptions ? { initializationOptions } : {}),
    });
    await this.connection.sendNotification('initialized', {});
    return result as Record<string, unknown>;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'tcpdump', version, text },
    });
  }

  async change(uri: string, version: number, changes: unknown[]): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async changeConfiguration(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { tcpdumpLens: settings } });
  }

  hover(uri: string, line: number, character = 0): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  /** LSP 3.17 pull: textDocument/diagnostic (the server offers it only to clients that announce it). */
  pullDiagnostics(uri: string): Promise<{ kind: string; resultId?: string; items: Diagnostic[] }> {
    return this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  }

  inlayHints(uri: string, fromLine: number, toLine: number): Promise<unknown[] | null> {
    return this.connection.sendRequest('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: fromLine, character: 0 }, end: { line: toLine, character: 0 } },
    });
  }

  documentSymbols(uri: string): Promise<unknown[] | null> {
    return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  }

  /** Waits until the latest diagnostics pushed for `uri` satisfy `accept` (for a given version when asked). */
  async diagnosticsFor(
    uri: string,
    accept: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true,
    timeoutMs = 10000,
  ): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.diagnostics.get(uri);
      if (p && accept(p.diagnostics, p)) return p.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(p?.diagnostics.map((d) => [d.range.start.line, d.message]))}\nserver stderr: ${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  forgetDiagnostics(uri: string): void {
    this.diagnostics.delete(uri);
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      // `exit` ends the process the server runs in: only a spawned one.
      if (this.child) await this.connection.sendNotification('exit');
    } catch {
      // the process may be gone already; the kill below makes sure
    }
    this.connection.dispose();
    this.server?.dispose();
    if (this.child && !this.exited) this.child.kill();
  }
}
