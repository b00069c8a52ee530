import * as path from 'node:path';
import { type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerHopMap } from './hopMap';
import { registerAnalyzeCaptureFile } from './analyzeCaptureFile';
import { registerCaptureViewer } from './pcap';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6029'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'tcpdump' }],
    synchronize: { configurationSection: 'tcpdumpLens' },
  };
  // The client id doubles as the settings prefix, so `tcpdumpLens.trace.server` works.
  client = new LanguageClient('tcpdumpLens', 'tcpdump Lens', serverOptions, clientOptions);
  context.subscriptions.push(client);
  registerHopMap(context, client);
  registerAnalyzeCaptureFile(context, client);
  registerCaptureViewer(context);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
