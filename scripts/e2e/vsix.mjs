// What is inside a .vsix (a zip): read from its central directory, so the suite can hold the
// package to the allowlist in .vscodeignore without an unzip binary.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export function vsixEntries(file) {
  const buf = fs.readFileSync(file);
  // End-of-central-directory record: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const localHeader = buf.readUInt32LE(at + 42);
    entries.push({
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      size,
      method,
      compressedSize,
      localHeader,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** One entry's content as text (stored or deflated, the two methods vsce writes). */
export function vsixEntryText(file, entries, name) {
  const e = entries.find((x) => x.name === name);
  if (!e) throw new Error(`${file}: no ${name}`);
  const buf = fs.readFileSync(file);
  if (buf.readUInt32LE(e.localHeader) !== 0x04034b50) throw new Error(`${file}: bad local header for ${name}`);
  const start = e.localHeader + 30 + buf.readUInt16LE(e.localHeader + 26) + buf.readUInt16LE(e.localHeader + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data.toString('utf8');
  if (e.method === 8) return zlib.inflateRawSync(data).toString('utf8');
  throw new Error(`${file}: ${name} uses zip method ${e.method}`);
}

/** The images a Markdown file shows: `![alt](src "title")` and `<img src="…">`, in order. */
export function markdownImageSources(markdown) {
  const sources = [];
  for (const m of markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) sources.push(m[1]);
  for (const m of markdown.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) sources.push(m[1]);
  return sources;
}

/** A link the details page resolves inside the package: no scheme, not absolute, not leaving it. */
export function isPackageRelative(src) {
  return (
    !/^[a-z][a-z0-9+.-]*:/i.test(src) &&
    !src.startsWith('/') &&
    !src.startsWith('\\') &&
    !src.split(/[\\/]/).includes('..')
  );
}

/**
 * Problems with the details page: the packaged readme must be the extension README (not the
 * project's), and every image it shows must be a relative path to a file inside the package, so
 * the page renders offline and from the installed folder.
 */
export function vsixReadmeProblems(file, entries) {
  const problems = [];
  const names = new Set(entries.map((e) => e.name));
  const readme = vsixEntryText(file, entries, 'extension/readme.md');
  const expected = fs.readFileSync(new URL('../../README.extension.md', import.meta.url), 'utf8');
  if (readme !== expected) problems.push('extension/readme.md is not README.extension.md as written');
  const images = markdownImageSources(readme);
  if (images.length === 0) problems.push('extension/readme.md shows no image');
  for (const src of images) {
    if (!isPackageRelative(src))
      problems.push(`extension/readme.md shows ${src}: not a relative path inside the package`);
    else if (!names.has(`extension/${decodeURI(src).replace(/^\.\//, '')}`))
      problems.push(`extension/readme.md shows ${src}, which the .vsix does not contain`);
  }
  return { problems, images };
}

// What the extension needs at run time and the marketplace shows: nothing else may ship.
const ALLOWED = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/package\.nls(\.[a-z-]+)?\.json$/,
  /^extension\/l10n\/bundle\.l10n\.[a-z-]+\.json$/,
  /^extension\/dist\/(extension|server|cli)\.js$/,
  /^extension\/syntaxes\/[^/]+\.tmLanguage\.json$/,
  /^extension\/language-configuration\.json$/,
  /^extension\/images\/icon\.png$/,
  /^extension\/(readme|changelog)\.md$/,
  /^extension\/LICENSE(\.txt)?$/,
];
const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  'extension/syntaxes/tcpdump.tmLanguage.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
];

/**
 * Problems with the package's content (empty when it ships exactly what it should). `shown`: the
 * images the readme shows (package-relative), which may ship too.
 */
export function vsixContentProblems(entries, shown = []) {
  const names = entries.map((e) => e.name);
  const images = new Set(shown.map((src) => `extension/${decodeURI(src).replace(/^\.\//, '')}`));
  return [
    ...names
      .filter((n) => !ALLOWED.some((re) => re.test(n)) && !images.has(n))
      .map((n) => `ships ${n}, which .vscodeignore should leave out`),
    ...REQUIRED.filter((n) => !names.includes(n)).map((n) => `does not ship ${n}`),
  ];
}
