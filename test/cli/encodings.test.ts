import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeText, TextChunkDecoder } from '../../server/src/textDecoding';
import { REPO_ROOT } from '../support/lspClient';
import { runCli, type CliResult } from '../support/cli';

/*
 * tcpdump text saved in other encodings than plain UTF-8. Windows PowerShell's `tcpdump … > x.txt`
 * writes UTF-16 LE with a byte-order mark and CRLF line ends; read as UTF-8 that was all NULs and
 * the CLI called it a binary capture with no packets. The encoded copies of the real tcpdump
 * fixture test/fixtures/seed-firewall-rst.txt are made here, with Node's own encoder (UTF-16 BE
 * by swapping the LE bytes), and must give exactly the findings of the UTF-8 file, in every way
 * the CLI reads text.
 */

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt');

const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input);

const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
const utf8bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

const ENCODINGS: [string, (text: string) => Buffer][] = [
  ['UTF-16 LE with BOM and CRLF (Windows PowerShell >)', (t) => utf16le(t.replace(/\n/g, '\r\n'))],
  ['UTF-16 LE with BOM', utf16le],
  ['UTF-16 BE with BOM', utf16be],
  ['UTF-8 with BOM (Out-File -Encoding utf8)', utf8bom],
];

describe('CLI: text in UTF-16 and with a byte-order mark', function () {
  this.timeout(60_000);
  let dir: string;
  const text = readFileSync(FIXTURE, 'utf8');
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lens-encodings-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const modes: [string, (file: string) => string[], boolean][] = [
    ['file', (f) => [f], false],
    ['--stream', (f) => ['--stream', f], false],
    ['standard input', () => ['-'], true],
    ['--follow -', () => ['--follow', '-'], true],
  ];
  ENCODINGS.forEach(([name, encode], n) => {
    it(`${name}: the findings of the UTF-8 file, read whole, streamed, from stdin and live`, () => {
      const file = path.join(dir, `seed-${n}.txt`);
      writeFileSync(file, encode(text));
      for (const [mode, args, stdin] of modes) {
        const want = run(args(FIXTURE), stdin ? readFileSync(FIXTURE) : undefined);
        const got = run(args(file), stdin ? readFileSync(file) : undefined);
        assert.equal(want.code, 1, `${mode}: the UTF-8 fixture itself: ${want.stderr}`);
        assert.equal(got.code, want.code, `${mode}: ${got.stderr}`);
        assert.equal(got.stdout.split(file).join(FIXTURE), want.stdout, mode);
        assert.doesNotMatch(got.stdout, /binary-capture/);
      }
    });
  });

  it('--packets reads UTF-16 as text: the same packets', () => {
    const file = path.join(dir, 'packets.txt');
    writeFileSync(file, utf16le(text));
    const want = run(['--packets', FIXTURE]);
    assert.equal(run(['--packets', file]).stdout, want.stdout);
    assert.equal(want.stdout.trim().split('\n').length, 14);
  });
});

describe('text decoding (server/src/textDecoding.ts)', () => {
  const encoders: [string, (t: string) => Buffer][] = [
    ['UTF-8', (t) => Buffer.from(t, 'utf8')],
    ['UTF-8 with BOM', utf8bom],
    ['UTF-16 LE', utf16le],
    ['UTF-16 BE', utf16be],
  ];
  for (const [name, encode] of encoders) {
    it(`${name}: pieces split anywhere (inside characters and surrogate pairs) decode to the text`, () => {
      fc.assert(
        fc.property(
          fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', 'é', '→', '😀', '\u0000'), maxLength: 40 }),
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
          (t, sizes) => {
            const bytes = encode(t);
            const decoder = new TextChunkDecoder();
            let out = '';
            let at = 0;
            for (let k = 0; at < bytes.length; k++) {
              const size = sizes[k % sizes.length];
              out += decoder.write(bytes.subarray(at, at + size));
              at += size;
            }
            out += decoder.end();
            assert.equal(out, t);
            assert.equal(decodeText(bytes), t);
          },
        ),
        { seed: 20261124, numRuns: 500 },
      );
    });
  }

  it('a lone first byte, and nothing at all, decode as UTF-8', () => {
    const one = new TextChunkDecoder();
    assert.equal(one.write(Buffer.from('I')), '');
    assert.equal(one.end(), 'I');
    assert.equal(new TextChunkDecoder().end(), '');
  });
});
