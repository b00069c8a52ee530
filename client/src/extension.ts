import * as path from 'node:path';
import { Uri, workspace, type ExtensionContext, type TextDocument } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ResponseError,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { registerHopMap } from './hopMap';
import { registerAnalyzeCaptureFile } from './analyzeCaptureFile';
import { registerDevices } from './devices';
import { registerCaptureViewer } from './pcap';
import { registerPlainTextCaptures } from './plainTextCaptures';
import { withoutUnsetRenamedKeys } from './settingsAliases';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6029'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'tcpdump' }],
    synchronize: { configurationSection: 'tcpdumpLens' },
    middleware: {
      workspace: {
        // The server asks for the `tcpdumpLens` section per document. A renamed setting's new key
        // is left out unless the user set it, so a value under its old name still counts.
        configuration: async (params, token, next) => {
          const result: unknown = await next(params, token);
          if (!Array.isArray(result)) return result as ResponseError;
          return result.map((value: unknown, i): unknown => {
            const item = params.items[i];
            if (item?.section !== 'tcpdumpLens') return value;
            const scope = item.scopeUri ? Uri.parse(item.scopeUri) : undefined;
            const config = workspace.getConfiguration('tcpdumpLens', scope);
            return withoutUnsetRenamedKeys(value, (key) => config.inspect(key));
          });
        },
      },
    },
  };
  // The client id doubles as the settings prefix, so `tcpdumpLens.trace.server` works.
  client = new LanguageClient('tcpdumpLens', 'tcpdump Lens', serverOptions, clientOptions);
  context.subscriptions.push(client);
  registerHopMap(context, client);
  registerAnalyzeCaptureFile(context, client);
  registerDevices(context, client);
  registerCaptureViewer(context);
  // Activated by a Plain Text document (to look at its first line), the server waits for a
  // tcpdump document; requests (Analyze Capture File…) start it themselves.
  const isTcpdump = (doc: TextDocument): boolean => doc.languageId === 'tcpdump';
  let started: Promise<void> | undefined;
  const start = (): Promise<void> => (started ??= client!.start());
  context.subscriptions.push(
    workspace.onDidOpenTextDocument((doc) => {
      if (isTcpdump(doc)) void start();
    }),
  );
  registerPlainTextCaptures(context);
  if (workspace.textDocuments.some(isTcpdump)) await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
