import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as protocol from '../../server/src/protocol';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

/*
 * server/src/protocol.ts is the one contract between client and server: the client names no custom
 * method that is not declared there, the server answers every method declared there, and the file
 * imports nothing the client bundle would have to carry.
 */

const METHOD_NOT_FOUND = -32601;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('client–server protocol (server/src/protocol.ts)', () => {
  it('declares each custom request method once, all under tcpdumpLens/', () => {
    const methods = protocol.CUSTOM_REQUEST_METHODS;
    // Every method constant the file exports is in the list the server is held to.
    const constants = Object.values(protocol as Record<string, unknown>).filter(
      (v): v is string => typeof v === 'string' && v.startsWith('tcpdumpLens/'),
    );
    assert.deepEqual([...methods].sort(), constants.sort());
    assert.equal(new Set(methods).size, methods.length);
    for (const m of methods) assert.match(m, /^tcpdumpLens\/\w+$/);
  });

  it('the client names no tcpdumpLens/ method that protocol.ts does not declare', () => {
    const files = sourcesUnder(path.join(REPO_ROOT, 'client', 'src'));
    assert.ok(files.length > 5, 'client sources found');
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, method] of text.matchAll(/['"`](tcpdumpLens\/[^'"`]*)/g)) {
        assert.ok(
          protocol.CUSTOM_REQUEST_METHODS.includes(method),
          `${path.relative(REPO_ROOT, file)} uses '${method}', which server/src/protocol.ts does not declare`,
        );
      }
    }
  });

  it("the client registers every command the server's code actions run", () => {
    const client = sourcesUnder(path.join(REPO_ROOT, 'client', 'src'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const names = Object.entries(protocol as Record<string, unknown>);
    for (const command of protocol.CODE_ACTION_COMMANDS) {
      const name = names.find(([, v]) => v === command)?.[0];
      assert.ok(
        client.includes(`registerCommand('${command}'`) ||
          (name !== undefined && client.includes(`registerCommand(${name},`)),
        `${command} is run by a code action but never registered`,
      );
    }
  });

  it('imports only types, so the client bundle carries nothing of the server', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'server', 'src', 'protocol.ts'), 'utf8');
    const imports = [...text.matchAll(/^(import|export)\b[^;]*?\bfrom\s+'[^']+'/gm)].map((m) => m[0]);
    assert.ok(imports.length > 0);
    for (const line of imports) assert.match(line, /^(import|export) type\b/, line);
    assert.doesNotMatch(text, /\brequire\(|\bimport\(/);
  });

  describe('the language server', () => {
    let client: LspTestClient;

    before(async () => {
      client = new LspTestClient();
      await client.initialize();
    });

    after(() => client.shutdown());

    it('has a handler for every declared request (an answer or an error, never "method not found")', async () => {
      for (const method of protocol.CUSTOM_REQUEST_METHODS) {
        try {
          await client.connection.sendRequest(method, {});
        } catch (e) {
          assert.notEqual((e as { code?: number }).code, METHOD_NOT_FOUND, method);
        }
      }
    });

    it('answers "method not found" for a method it does not have (the check above can fail)', async () => {
      await assert.rejects(client.connection.sendRequest('tcpdumpLens/noSuchRequest', {}), (e: { code?: number }) => {
        return e.code === METHOD_NOT_FOUND;
      });
    });
  });
});
