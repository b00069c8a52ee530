import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { LspTestClient, REPO_ROOT } from '../support/lspClient';

/*
 * Capture text is untrusted. Real tcpdump renderings whose host names (from a hosts file, see
 * test/fixtures/bad/make-fixtures.sh) carry Markdown links to `command:` URIs, HTML and backtick
 * games: every hover the server gives on them, rendered by a CommonMark renderer with HTML allowed
 * (the most permissive reading a client could make), must hold no link, no image and no HTML
 * element — the names must come out as text.
 */

const BAD = path.join(REPO_ROOT, 'test', 'fixtures', 'bad');
const FILES = ['hostile-names.v.txt', 'seed-hostile-a.v.txt', 'seed-hostile-b.v.txt'];
const markdown = new MarkdownIt({ html: true, linkify: false });

/** Every tag the rendered HTML holds, besides the harmless formatting the hovers use themselves. */
function activeTags(html: string): string[] {
  const allowed = new Set([
    'p',
    'code',
    'strong',
    'em',
    'ul',
    'li',
    'br',
    'hr',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'ol',
    'h1',
    'h2',
    'h3',
    'h4',
    'pre',
  ]);
  return [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase()).filter((t) => !allowed.has(t));
}

describe('security: untrusted capture text in hovers and messages (LSP, in-process JSON-RPC)', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  before(async () => {
    client = new LspTestClient();
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  for (const file of FILES) {
    it(`${file}: hovers on every line and every word render as text, never as links or HTML`, async () => {
      const text = fs.readFileSync(path.join(BAD, file), 'utf8');
      const uri = `file:///security/${file}`;
      await client.open(uri, text);
      // Wait for the analysis, so hovers answer from it.
      await client.diagnosticsFor(uri, (d) => d.length > 0);
      // The hostile names are in the capture's addresses, so they reach the messages and hovers.
      const hosts = fs
        .readFileSync(
          path.join(BAD, file.startsWith('hostile') ? 'hostile.hosts' : file.replace('.v.txt', '.hosts')),
          'utf8',
        )
        .split('\n')
        .map((l) => l.split(/\s+/).slice(1).join(' '))
        .filter((n) => n && n !== 'localhost');
      assert.ok(
        hosts.some((h) => text.includes(h)),
        'the fixture prints the hostile names',
      );

      let hovers = 0;
      const lines = text.split('\n');
      for (let line = 0; line < lines.length; line++) {
        // Hover at every word start: packets, addresses (the address hover quotes the name), flags.
        for (const m of lines[line].matchAll(/\S+/g)) {
          const hover = await client.hover(uri, line, m.index);
          if (!hover) continue;
          hovers++;
          const value =
            typeof hover.contents === 'object' && 'value' in hover.contents
              ? hover.contents.value
              : JSON.stringify(hover.contents);
          const html = markdown.render(value);
          assert.deepEqual(
            activeTags(html),
            [],
            `line ${line + 1} col ${m.index}: hover renders markup\n${value}\n---\n${html}`,
          );
        }
      }
      assert.ok(hovers > 10, `only ${hovers} hovers answered`);
      await client.close(uri);
    });
  }

  it('the names reach a warning message unaltered (so escaping is what keeps them inert)', async () => {
    const text = fs.readFileSync(path.join(BAD, 'seed-hostile-a.v.txt'), 'utf8');
    const uri = 'file:///security/names-in-message.txt';
    await client.open(uri, text);
    const diagnostics = await client.diagnosticsFor(uri, (d) => d.some((x) => x.severity === 2));
    const warning = diagnostics.find((d) => d.severity === 2);
    assert.ok(warning);
    const message = typeof warning.message === 'string' ? warning.message : warning.message.value;
    assert.ok(message.includes('[click](evil)<img/src=x/onerror=alert(1)>'), message);
  });
});

describe('security: what the extension may do', () => {
  const sources = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.join(e.parentPath, e.name));

  it('no child processes, sockets or eval in the extension, the server or the core', () => {
    const offenders: string[] = [];
    for (const file of [
      ...sources(path.join(REPO_ROOT, 'server', 'src')),
      ...sources(path.join(REPO_ROOT, 'client', 'src')),
    ]) {
      const code = fs.readFileSync(file, 'utf8');
      for (const banned of [
        /['"](?:node:)?child_process['"]/,
        /['"](?:node:)?(?:net|dgram|http|https|http2|tls)['"]/,
        /\beval\s*\(/,
        /\bnew Function\s*\(/,
      ]) {
        if (banned.test(code)) offenders.push(`${path.relative(REPO_ROOT, file)}: ${banned}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('no setting can name a program or a path to run, and hovers are not trusted Markdown', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const props = manifest.contributes.configuration.properties as Record<string, { type: string; enum?: unknown[] }>;
    for (const [key, p] of Object.entries(props)) {
      assert.doesNotMatch(key, /path|command|program|executable|binary/i, key);
      if (p.type === 'string') assert.ok(Array.isArray(p.enum), `${key}: free-form string setting`);
    }
    // Works in Restricted Mode, where the workspace's settings cannot switch the warnings off.
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    const client = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'extension.ts'), 'utf8');
    assert.doesNotMatch(client, /isTrusted\s*:\s*true/);
  });
});
