import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startLanguageServer } from './languageServer';

// Transport (--stdio, --node-ipc, --socket) is chosen from the command line by createConnection.
startLanguageServer(createConnection(ProposedFeatures.all));
