import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  TextDocuments,
  createConnection,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { analyze } from '../../server/src/core/analyze';
import type { HopMap } from '../../server/src/core/hopMap';
import { HOP_MAP_REQUEST, registerHopMapRequest } from '../../server/src/hopMapRequest';

const repoRoot = path.resolve(__dirname, '..', '..');
const seed = fs.readFileSync(path.join(repoRoot, 'test/fixtures/seed-firewall-rst.txt'), 'utf8');
const URI = 'file:///captures/seed-firewall-rst.tcpdump';

/**
 * A real JSON-RPC pair over in-memory streams: the server side runs `registerHopMapRequest` with
 * documents synchronised the way the language server does it; the client speaks raw LSP.
 */
function startPair(): { client: ProtocolConnection; disabled: Set<string>; dispose: () => void } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const documents = new TextDocuments(TextDocument);
  const disabled = new Set<string>();
  server.onInitialize(() => ({ capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } }));
  registerHopMapRequest(server, async (uri) => {
    const doc = documents.get(uri);
    return doc && !disabled.has(uri) ? analyze(doc.getText()) : undefined;
  });
  documents.listen(server);
  server.listen();
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.listen();
  return {
    client,
    disabled,
    dispose: () => {
      client.dispose();
      server.dispose();
      toServer.destroy();
      toClient.destroy();
    },
  };
}

describe('tcpdumpLens/hopMap request over JSON-RPC', () => {
  let pair: ReturnType<typeof startPair>;
  beforeEach(async () => {
    pair = startPair();
    await pair.client.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: {} });
    await pair.client.sendNotification(InitializedNotification.type, {});
  });
  afterEach(() => pair.dispose());

  it('answers with the hop map of an open document', async () => {
    await pair.client.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: URI, languageId: 'tcpdump', version: 1, text: seed },
    });
    const map = (await pair.client.sendRequest(HOP_MAP_REQUEST, { uri: URI })) as HopMap;
    assert.equal(map.maxHops, 3);
    assert.deepEqual(
      map.sources.map((s) => [s.address, s.distances.map((d) => d.hops)]),
      [
        ['192.168.31.128', [0]],
        ['192.168.40.129', [3]],
      ],
    );
    assert.deepEqual(
      map.suspiciousResets.map((g) => [g.claimedSource, g.hops, g.lines, g.device]),
      [['192.168.40.129', 1, [1, 3, 5], 1]],
    );
    // The device the diagnostics name, as the ruler draws it.
    assert.deepEqual(
      map.devices.map((d) => [d.id, d.hops, d.lines, d.claimedSources.map((c) => c.address)]),
      [[1, 1, [1, 3, 5], ['192.168.40.129']]],
    );
  });

  it('follows edits: without the echo replies there is no baseline, so no forged RST', async () => {
    await pair.client.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: URI, languageId: 'tcpdump', version: 1, text: seed },
    });
    const withoutReplies = seed
      .split('\n')
      .filter((l) => !l.includes('echo reply'))
      .join('\n');
    await pair.client.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ text: withoutReplies }],
    });
    const map = (await pair.client.sendRequest(HOP_MAP_REQUEST, { uri: URI })) as HopMap;
    assert.deepEqual(map.suspiciousResets, []);
    assert.deepEqual(map.devices, []);
    // The unjudged RSTs still show where they came from: their claimed source, at 1 hop.
    assert.deepEqual(
      map.sources.map((s) => [s.address, s.distances.map((d) => [d.hops, d.packets])]),
      [
        ['192.168.31.128', [[0, 7]]],
        ['192.168.40.129', [[1, 3]]],
      ],
    );
  });

  it('answers null for unknown or disabled documents and for malformed params', async () => {
    assert.equal(await pair.client.sendRequest(HOP_MAP_REQUEST, { uri: 'file:///not-open.tcpdump' }), null);
    await pair.client.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: URI, languageId: 'tcpdump', version: 1, text: seed },
    });
    pair.disabled.add(URI);
    assert.equal(await pair.client.sendRequest(HOP_MAP_REQUEST, { uri: URI }), null);
    assert.equal(await pair.client.sendRequest(HOP_MAP_REQUEST.method, { uri: 42 }), null);
  });
});
