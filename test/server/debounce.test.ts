import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { analyze } from '../../server/src/core/analyze';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { toDiagnostic } from '../../server/src/toLsp';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

/*
 * Debounce and stale-run dropping over real LSP: a burst of 20 edits costs one publication, for
 * the burst's last version (push), and a pull right after the burst answers for that last version.
 * The burst builds the seed capture line by line, so every intermediate version has other
 * diagnostics than the last and a stale publication would show. The server is given a long quiet
 * time (initializationOptions.debounceMs) so that the outcome does not depend on machine speed;
 * nothing here is timed.
 */

const SEED = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8');
const SEED_LINES = SEED.split('\n').filter((l) => l.length > 0);
const BURST = 20;
const URI = 'file:///burst/seed.txt';
const normalise = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/** Versions 2..21: each appends the next seed line at the end of the document (from the top again after its last). */
async function sendBurst(client: LspTestClient): Promise<string> {
  let text = '';
  for (let i = 0; i < BURST; i++) {
    const line = text.split('\n').length - 1;
    const added = `${SEED_LINES[i % SEED_LINES.length]}\n`;
    await client.change(URI, i + 2, [
      { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: added },
    ]);
    text += added;
  }
  return text;
}

const fresh = (text: string): unknown =>
  normalise(analyze(text, DEFAULT_OPTIONS).findings.map((f) => toDiagnostic(f, URI, 'en')));

describe('debounce and stale runs over LSP (in-process JSON-RPC)', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  afterEach(async () => client.shutdown());

  it('push: a burst of 20 edits is published once, for its last version', async () => {
    client = new LspTestClient();
    await client.initialize('en', {}, { debounceMs: 1500 });
    await client.open(URI, '', 1);
    await client.diagnosticsFor(URI, (_, p) => p.version === 1);
    const before = client.published.length;
    const text = await sendBurst(client);
    const last: Diagnostic[] = await client.diagnosticsFor(URI, (_, p) => p.version === 21, 30_000);
    // A request round trip: anything the server had queued before answering it has arrived.
    await client.hover(URI, 0, 0);
    const after = client.published.slice(before);
    assert.deepEqual(after, [{ uri: URI, version: 21 }], 'exactly one publication, for version 21');
    assert.ok(last.length > 0, 'the seed capture has findings');
    assert.deepStrictEqual(normalise(last), fresh(text));
  });

  it('pull: the report right after a burst is for its last version', async () => {
    client = new LspTestClient();
    const init = await client.initialize('en', { textDocument: { diagnostic: {} } }, { debounceMs: 1500 });
    assert.ok((init.capabilities as Record<string, unknown>).diagnosticProvider, 'pull offered');
    await client.open(URI, '', 1);
    const text = await sendBurst(client);
    const report = await client.pullDiagnostics(URI);
    assert.equal(report.resultId, '21');
    assert.deepStrictEqual(normalise(report.items), fresh(text));
    assert.equal(client.published.length, 0, 'nothing pushed to a pull client');
  });
});
