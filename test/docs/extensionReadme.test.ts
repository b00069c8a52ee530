import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PackageManager, listFiles } from '@vscode/vsce';
import { REPO_ROOT } from '../support/lspClient';

/*
 * The extension's details page is README.extension.md, packaged as the .vsix's readme with
 * `--readme-path` and `--no-rewrite-relative-links`: its images must be relative paths to files
 * that exist and that .vscodeignore lets into the package (asked of vsce itself), so the page shows
 * them offline. The project README stays for people working on the code and starts with the two
 * set-up commands. (The e2e suite checks the built .vsix the same way: scripts/e2e/vsix.mjs.)
 */

const USER_README = 'README.extension.md';
const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** `![alt](src "title")` and `<img src>`: the images a Markdown file shows. */
function imageSources(markdown: string): string[] {
  return [
    ...[...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...markdown.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]),
  ];
}

/** `[text](target)` links that are not images, and not in-page anchors. */
function linkTargets(markdown: string): string[] {
  return [...markdown.matchAll(/(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1])
    .filter((t) => !t.startsWith('#'));
}

const isRelative = (src: string): boolean =>
  !/^[a-z][a-z0-9+.-]*:/i.test(src) && !src.startsWith('/') && !src.split(/[\\/]/).includes('..');

describe('the extension README (the details page) and what the .vsix ships', function () {
  this.timeout(30000);
  let packaged: Set<string>;
  before(async () => {
    // readmePath is what `--readme-path` sets; vsce's listFiles takes it, its typings do not say so.
    const options = { cwd: REPO_ROOT, packageManager: PackageManager.None, readmePath: USER_README };
    packaged = new Set(await listFiles(options));
  });

  it('package.json packages README.extension.md as the readme, links left as written', () => {
    const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.package;
    assert.match(script, /\bvsce package\b/);
    assert.match(script, new RegExp(`--readme-path ${USER_README.replace('.', '\\.')}(\\s|$)`));
    assert.match(script, /--no-rewrite-relative-links/);
    assert.ok(packaged.has(USER_README), `.vscodeignore leaves ${USER_README} out`);
    assert.ok(!packaged.has('README.md'), 'the project README would ship too');
  });

  it('every image it shows is a relative path to a file that exists and is packaged', () => {
    const images = imageSources(read(USER_README));
    assert.ok(images.length >= 1, 'the details page shows at least one screenshot');
    for (const src of images) {
      assert.ok(isRelative(src), `${src}: not a relative path inside the package`);
      const file = decodeURI(src).replace(/^\.\//, '');
      assert.ok(existsSync(path.join(REPO_ROOT, file)), `${src} does not exist`);
      assert.ok(packaged.has(file), `${src} is not packaged: .vscodeignore must let it in`);
    }
  });

  it('no other image ships than the icon and those it shows; relative links point into the package', () => {
    const shown = new Set(imageSources(read(USER_README)).map((s) => decodeURI(s).replace(/^\.\//, '')));
    const images = [...packaged].filter((f) => /\.(png|jpe?g|gif|svg|webp)$/i.test(f));
    assert.deepEqual(
      images.filter((f) => f !== 'images/icon.png' && !shown.has(f)),
      [],
    );
    for (const target of linkTargets(read(USER_README)).filter(isRelative))
      assert.ok(packaged.has(decodeURI(target).split('#')[0]), `link to ${target}, which is not packaged`);
  });

  it('README.md starts with the two commands for a fresh machine, the second being what CI runs', () => {
    const readme = read('README.md');
    const firstBlock = /^# [^\n]+\n+```sh\n([\s\S]*?)```/.exec(readme);
    assert.ok(firstBlock, 'README.md starts with its title and a sh block');
    const commands = firstBlock[1]
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim());
    assert.deepEqual(commands, [
      'apt-get install -y tcpdump neovim && npm ci && npm run demo',
      'npm test && bash .ci/e2e.sh',
    ]);
    assert.match(read('.ci/run'), /^npm test && bash \.ci\/e2e\.sh$/m);
  });
});
