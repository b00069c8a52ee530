// What is inside a .vsix (a zip): read from its central directory, so the suite can hold the
// package to the allowlist in .vscodeignore without an unzip binary.
import * as fs from 'node:fs';

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
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
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

/** Problems with the package's content (empty when it ships exactly what it should). */
export function vsixContentProblems(entries) {
  const names = entries.map((e) => e.name);
  return [
    ...names
      .filter((n) => !ALLOWED.some((re) => re.test(n)))
      .map((n) => `ships ${n}, which .vscodeignore should leave out`),
    ...REQUIRED.filter((n) => !names.includes(n)).map((n) => `does not ship ${n}`),
  ];
}
