import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { runCli, type CliResult } from '../support/cli';

/* The CLI's inputs: standard input (text and pcap), pcap/pcapng files, damaged and foreign files. */

const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input);
/** `line code message` of each warning, file name and frame note dropped: what must agree between inputs. */
const warnings = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((l) => l.includes(': warning: '))
    .map((l) => l.replace(/^.*?:(\d+):\d+: warning: (.*) \[([a-z-]+)\].*$/, '$1 $3 $2'));

const LAB = path.join(REPO_ROOT, 'test', 'fixtures', 'lab');
const PCAPS = [
  ...readdirSync(LAB)
    .filter((f) => f.endsWith('.pcap'))
    .map((f) => path.join('test', 'fixtures', 'lab', f)),
  path.join('test', 'fixtures', 'bad', 'mixed-v4-v6.pcap'),
];

describe('CLI inputs', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lens-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads text on standard input exactly as from the file', () => {
    const file = path.join('test', 'fixtures', 'seed-firewall-rst.txt');
    const fromFile = run([file]);
    const fromStdin = run(['-'], readFileSync(path.join(REPO_ROOT, file)));
    assert.equal(fromStdin.code, 1);
    assert.equal(fromStdin.stdout, fromFile.stdout.split(`${file}:`).join('-:'));
    assert.equal(warnings(fromStdin.stdout).length, 3);
  });

  it('reads standard input twice without holding it: the spooled copy gives the same JSON as the file', () => {
    const file = path.join('test', 'fixtures', 'lab', 'ttl64-ipv4.nv.txt');
    const a = JSON.parse(run(['--format', 'json', file]).stdout) as {
      files: { packets: number; findings: unknown[] }[];
    };
    const b = JSON.parse(run(['--format', 'json', '-'], readFileSync(path.join(REPO_ROOT, file))).stdout) as typeof a;
    assert.deepEqual(b.files[0].findings, a.files[0].findings);
    assert.equal(b.files[0].packets, a.files[0].packets);
    assert.ok(a.files[0].packets > 10);
  });

  for (const pcap of PCAPS) {
    it(`${pcap}: decoded directly, the same warnings as the real tcpdump -nv text of it`, () => {
      const fromPcap = run([pcap]);
      const fromText = run([pcap.replace(/\.pcap$/, '.nv.txt')]);
      assert.equal(fromPcap.code, 1, fromPcap.stderr);
      assert.ok(warnings(fromPcap.stdout).length >= 2);
      assert.deepEqual(warnings(fromPcap.stdout), warnings(fromText.stdout));
      // Each finding names its frame: the packet number Wireshark and `tcpdump -#` show.
      assert.match(fromPcap.stdout, /: warning: .* \(frame \d+\)$/m);
    });
  }

  it('a pcap on standard input (tcpdump -w - | tcpdump-lens -)', () => {
    const pcap = PCAPS[0];
    const r = run(['-'], readFileSync(path.join(REPO_ROOT, pcap)));
    assert.equal(r.code, 1);
    assert.deepEqual(warnings(r.stdout), warnings(run([pcap]).stdout));
  });

  it('--packets and --format json read pcaps too', () => {
    const pcap = path.join('test', 'fixtures', 'bad', 'mixed-v4-v6.pcap');
    const recs = run(['--packets', pcap])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { src: string; ttl?: number });
    const textRecs = run(['--packets', pcap.replace('.pcap', '.nv.txt')])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { src: string; ttl?: number });
    assert.deepEqual(recs, textRecs);
    const json = JSON.parse(run(['--format', 'json', pcap]).stdout) as { files: { findings: { frame?: number }[] }[] };
    assert.ok(json.files[0].findings.every((f) => typeof f.frame === 'number'));
  });

  it('a truncated capture: the frames before the damage are reported, the message says why, exit 2', () => {
    const bytes = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'));
    const cut = path.join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    const r = run([cut]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cut\.pcap: pcap .*frame \d+ truncated/);
    assert.match(r.stderr, /damaged capture: .*cut\.pcap/);
    assert.ok(r.stdout.split('\n').filter(Boolean).length > 0, 'nothing reported from the readable frames');
  });

  it('a file with a pcap magic number and nothing behind it: exit 2, clear message', () => {
    const bad = path.join(dir, 'bad.pcap');
    writeFileSync(bad, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3]));
    const r = run([bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot decode .*bad\.pcap: pcap file header truncated/);
    assert.equal(r.stdout, '');
  });

  it('a pcapng whose only link type is unsupported: shown undecoded with a warning; no packet, so exit 2 unless --allow-empty', () => {
    // One section header block and one interface description block with link type 147 (USER0).
    const block = (type: number, body: number[]): Buffer => {
      const len = 12 + body.length;
      const b = Buffer.alloc(len);
      b.writeUInt32LE(type, 0);
      b.writeUInt32LE(len, 4);
      Buffer.from(body).copy(b, 8);
      b.writeUInt32LE(len, len - 4);
      return b;
    };
    const shb = block(0x0a0d0d0a, [0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const idb = block(1, [147, 0, 0, 0, 0, 0, 4, 0]);
    const epbBody = Buffer.alloc(20 + 4);
    epbBody.writeUInt32LE(0, 0);
    epbBody.writeUInt32LE(4, 12);
    epbBody.writeUInt32LE(4, 16);
    const epb = block(6, [...epbBody]);
    const file = path.join(dir, 'user0.pcapng');
    writeFileSync(file, Buffer.concat([shb, idb, epb]));
    // Not a decode error: the frame is there, only undecoded. But no packet could be checked, which
    // a pipeline must not read as "no forged RST".
    const r = run([file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /link-type 147 is not supported/);
    assert.match(r.stderr, /no packets found in .*user0\.pcapng/);
    assert.doesNotMatch(r.stderr, /cannot decode|damaged/);
    const allowed = run(['--allow-empty', file]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /link-type 147 is not supported/);
  });
});
