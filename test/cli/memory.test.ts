import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { captureName, encodePcapRecord, planCapture, writeCapture } from '../../scripts/bench/generate';

/*
 * Bounded memory, as a property: the CLI analyses a capture several times larger than the V8 heap
 * it is allowed, finds every forged RST in it, and the memory it adds to a bare run stays well
 * below the file's size. (The whole-document analysis holds the text, its lines and every packet:
 * about three times the file.)
 */

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const PEAK = path.join(REPO_ROOT, 'scripts', 'bench', 'peakMemory.cjs');

/** Runs the CLI under scripts/bench/peakMemory.cjs, which reports the child's peak RSS on fd 3. */
function measured(
  args: string[],
  nodeFlags: string[],
  stdinFile?: string,
): { code: number | null; stdout: string; stderr: string; maxRss: number } {
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  const r = spawnSync(process.execPath, [...nodeFlags, '--require', PEAK, CLI, ...args], {
    cwd: REPO_ROOT,
    stdio: [stdin, 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  if (typeof stdin === 'number') closeSync(stdin);
  const report = JSON.parse(r.output[3]!.toString()) as { maxRssBytes: number };
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString(), maxRss: report.maxRssBytes };
}

const MB = 1 << 20;

describe('CLI memory on a large capture', function () {
  this.timeout(180000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lens-memory-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a ~72 MB capture in a 32 MB heap: every forged RST found, peak RSS grows by well under the file size', () => {
    // A block printed by the real tcpdump (scripts/bench/generate.ts), repeated: a long capture of
    // the same network, whose forged RSTs are known line by line.
    const expected = writeCapture(dir, 'nv', 4000, 20261124);
    const block = readFileSync(path.join(dir, `${captureName('nv', 4000)}.txt`));
    const big = path.join(dir, 'big.txt');
    writeFileSync(big, '');
    const copies = Math.ceil((72 * MB) / block.length);
    for (let i = 0; i < copies; i++) appendFileSync(big, block);
    const size = statSync(big).size;

    const heapLimitMb = 32;
    assert.ok(size > 2 * heapLimitMb * MB, 'the file must not fit in the heap the CLI gets');
    const flags = [`--max-old-space-size=${heapLimitMb}`, '--max-semi-space-size=1'];
    // --stream: files this size are otherwise read whole, for speed.
    const bare = measured(['--stream', path.join('test', 'fixtures', 'seed-firewall-rst.txt')], flags);
    const run = measured(['--stream', big], flags);
    assert.equal(run.code, 1, run.stderr.slice(0, 2000));

    const forged = new Set<number>();
    for (let c = 0; c < copies; c++) for (const l of expected.forgedLines) forged.add(l + c * expected.lines);
    const flagged = run.stdout
      .split('\n')
      .filter((l) => l.includes('[ttl-mismatch]'))
      .map((l) => Number(/^[^:]+:(\d+):/.exec(l)![1]));
    assert.equal(flagged.length, forged.size);
    assert.ok(
      flagged.every((l) => forged.has(l)),
      'a flagged line that is no forged RST',
    );

    const added = run.maxRss - bare.maxRss;
    console.log(
      `      ${(size / MB).toFixed(0)} MB, ${copies * 4000} packets: peak RSS ${(run.maxRss / MB).toFixed(0)} MB (a bare run: ${(bare.maxRss / MB).toFixed(0)} MB, added ${(added / MB).toFixed(0)} MB)`,
    );
    assert.ok(
      added < size / 2,
      `the analysis added ${(added / MB).toFixed(0)} MB for a ${(size / MB).toFixed(0)} MB file`,
    );
  });

  it('a 200k-frame pcap (~34 MB), from the file and from standard input: every forged RST found by frame, peak RSS well under 256 MiB', () => {
    // Generated frame by frame (no tcpdump needed); the whole-file decoder peaked near 600 MB here.
    const pcap = path.join(dir, 'big.pcap');
    const fd = openSync(pcap, 'w');
    const buf = Buffer.alloc(1 << 20);
    buf.writeUInt32LE(0xa1b2c3d4, 0);
    buf.writeUInt16LE(2, 4);
    buf.writeUInt16LE(4, 6);
    buf.writeUInt32LE(262144, 16);
    buf.writeUInt32LE(1, 20); // Ethernet
    let at = 24;
    const frames = 200000;
    const plan = planCapture(frames, 20261205, 'nv', (p) => {
      at += encodePcapRecord(p, buf, at);
      if (at > buf.length - 4096) {
        writeSync(fd, buf, 0, at);
        at = 0;
      }
    });
    writeSync(fd, buf, 0, at);
    closeSync(fd);
    const expected = plan.forged.map((index) => index + 1);
    assert.ok(expected.length > 100, `only ${expected.length} forged RSTs planted`);

    for (const [how, args, stdin] of [
      ['file', ['--format', 'json', pcap], undefined],
      ['standard input', ['--format', 'json', '-'], pcap],
    ] as const) {
      const run = measured([...args], [], stdin);
      assert.equal(run.code, 1, run.stderr.slice(0, 2000));
      assert.equal(run.stderr, '');
      const [file] = (
        JSON.parse(run.stdout) as { files: { packets: number; findings: { code: string; frame: number }[] }[] }
      ).files;
      assert.equal(file.packets, frames);
      assert.deepEqual(
        file.findings.filter((f) => f.code === 'ttl-mismatch').map((f) => f.frame),
        expected,
        `${how}: the forged RSTs, by frame`,
      );
      console.log(
        `      ${how}: ${frames} frames, ${(statSync(pcap).size / MB).toFixed(0)} MB: peak RSS ${(run.maxRss / MB).toFixed(0)} MiB`,
      );
      assert.ok(run.maxRss < 192 * MB, `${how}: peak RSS ${(run.maxRss / MB).toFixed(0)} MiB`);
    }
  });
});
