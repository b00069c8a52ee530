import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';

/*
 * `tcpdump -nv -l | tcpdump-lens --follow -`: the CLI is spawned and fed the seed capture line by
 * line with pauses, as a live tcpdump writes it; each verdict must be printed while stdin is open.
 */

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const SEED = path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt');

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class LiveCli {
  readonly child;
  stdout = '';
  stderr = '';
  readonly exit: Promise<number | null>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, '--follow', ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
  get lines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }
  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }
  sendBytes(bytes: Uint8Array): void {
    this.child.stdin.write(bytes);
  }
  /** Waits until at least `n` output lines arrived (or fails, saying what did). */
  async until(n: number, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} lines, got:\n${this.stdout}\nstderr: ${this.stderr}`);
      await pause(20);
    }
  }
}

describe('CLI --follow (live)', () => {
  const seed = readFileSync(SEED, 'utf8').trimEnd().split('\n');

  it('seed capture: nothing until the echo replies arrive, then the three forged RSTs, raised at the next reply, all before stdin closes', async () => {
    const cli = new LiveCli(['-']);
    try {
      // Lines 1-7: the SYNs, the RSTs (TTL 63) and an echo request. The RSTs' claimed sender has no
      // other packet yet, so nothing can be decided.
      for (const line of seed.slice(0, 7)) {
        cli.send(line);
        await pause(30);
      }
      await pause(400);
      assert.equal(cli.stdout, '', 'printed before any evidence arrived');

      cli.send(seed[7]); // the first echo reply, TTL 61: 3 hops, the RSTs came from 1
      await cli.until(3);
      assert.deepEqual(
        cli.lines.map((l) => l.replace(/^-:(\d+):1: (\w+): .* \[(\S+)\] \((.*)\)$/, '$1 $2 $3 $4')),
        [
          '2 info ttl-mismatch decided at line 8, when later packets arrived',
          '4 info ttl-mismatch decided at line 8, when later packets arrived',
          '6 info ttl-mismatch decided at line 8, when later packets arrived',
        ],
      );
      assert.match(
        cli.lines[0],
        /Possibly forged RST: sent by a device 1 hop away, 2 hops before 192\.168\.40\.129 \(low, against its ICMP packets only\) — 192\.168\.31\.128:49169 → 192\.168\.40\.129:22/,
      );

      cli.send(seed[8]);
      await pause(200);
      assert.equal(cli.lines.length, 3, 'an echo request of the client changes nothing');
      cli.send(seed[9]); // the second reply makes the baseline two packets: medium, a warning
      await cli.until(6);
      assert.deepEqual(
        cli.lines.slice(3).map((l) => l.replace(/^-:(\d+):1: (\w+): .* \[(\S+)\] \((.*)\)$/, '$1 $2 $3 $4')),
        [
          '2 warning ttl-mismatch confidence raised from low at line 10',
          '4 warning ttl-mismatch confidence raised from low at line 10',
          '6 warning ttl-mismatch confidence raised from low at line 10',
        ],
      );
      assert.equal(cli.child.exitCode, null, 'the CLI must still be running: stdin is open');

      for (const line of seed.slice(10)) cli.send(line);
      cli.child.stdin.end();
      assert.equal(await cli.exit, 1);
      // Only at the end: the checksum note, which needs every packet counted.
      assert.match(
        cli.lines[cli.lines.length - 1],
        /^-:1:1: info: tcpdump marks the checksums of 7 packets .*\[checksum-offload\]/,
      );
      assert.equal(cli.lines.length, 7);
    } finally {
      cli.child.kill();
    }
  });

  it('--format json prints one object per decision, as it happens', async () => {
    const cli = new LiveCli(['--format', 'json', '-']);
    try {
      for (const line of seed.slice(6, 8)) cli.send(line); // echo request and reply first
      for (const line of seed.slice(0, 2)) cli.send(line); // then a SYN and its forged RST
      await cli.until(1);
      const rec = JSON.parse(cli.lines[0]) as Record<string, unknown>;
      assert.equal(rec.file, '-');
      assert.equal(rec.code, 'ttl-mismatch');
      assert.equal(rec.line, 4);
      assert.equal(rec.decidedAtLine, 4, 'suspicious on arrival: decided on its own line');
      assert.equal(rec.event, 'report');
      cli.child.stdin.end();
      assert.equal(await cli.exit, 0, 'one reply makes a low-confidence note, not a warning');
    } finally {
      cli.child.kill();
    }
  });

  const signal = (name: string): string[] =>
    readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'signals', name), 'utf8')
      .trimEnd()
      .split('\n');

  it("withdraws a report, while stdin is open, when the sender's later packets explain the RST; exit 0", async () => {
    // The closed port's RST (line 21) arrives at 4 hops while the server was seen only at 3, on one
    // other connection: a note that says what is still unknown, not a warning. Its :80 replies
    // (line 25) come over the 4-hop path too.
    const lines = signal('per-connection-paths-genuine.nv.txt');
    const cli = new LiveCli(['-']);
    try {
      for (const line of lines.slice(0, 22)) cli.send(line);
      await cli.until(1);
      assert.match(
        cli.lines[0],
        /^-:21:1: info: Possibly forged RST: .* \(low\) — 10\.0\.0\.2:\d+ → 203\.0\.113\.10:8080 — still unknown: only one other connection of 203\.0\.113\.10 shows its distance so far.*\[ttl-mismatch\]$/,
      );
      for (const line of lines.slice(22, 26)) cli.send(line);
      await cli.until(2);
      assert.equal(
        cli.lines[1],
        '-:21:1: withdrawn: the low report on this RST no longer stands: packets up to line 25 explain it [ttl-mismatch]',
      );
      assert.equal(cli.child.exitCode, null, 'still running: stdin is open');
      for (const line of lines.slice(26)) cli.send(line);
      cli.child.stdin.end();
      assert.equal(await cli.exit, 0, 'no warning stands at the end');
      assert.equal(cli.lines.length, 2);
    } finally {
      cli.child.kill();
    }
  });

  it('--format json: a lowered report is an event "lower" with loweredFrom; the warning still stands, exit 1', async () => {
    const lines = signal('far-rst-before-second-path.nv.txt');
    const cli = new LiveCli(['--format', 'json', '-']);
    try {
      for (const line of lines) cli.send(line);
      cli.child.stdin.end();
      assert.equal(await cli.exit, 1);
      const events = cli.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        events.map((e) => [e.event, e.line, e.confidence, e.loweredFrom, e.decidedAtLine]),
        [
          ['report', 19, 'high', undefined, 19],
          ['lower', 19, 'medium', 'high', 23],
        ],
      );
    } finally {
      cli.child.kill();
    }
  });

  it('a pcap on stdin (tcpdump -w - | tcpdump-lens --follow -): each frame decoded as it arrives, the forged RST reported while stdin is open', async () => {
    // The lab capture: the firewall's forged RST is frame 21 (its line 39), decidable on arrival.
    const bytes = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'));
    const records: Buffer[] = [];
    for (let at = 24; at < bytes.length;) {
      const end = at + 16 + bytes.readUInt32LE(at + 8);
      records.push(bytes.subarray(at, end));
      at = end;
    }
    assert.ok(records.length > 22, 'the capture has frames after the forged RST');
    const cli = new LiveCli(['--format', 'json', '-']);
    try {
      // The magic number in two writes, as a writer may hand it over; then a frame at a time.
      cli.sendBytes(bytes.subarray(0, 2));
      await pause(50);
      cli.sendBytes(bytes.subarray(2, 24));
      let sent = 0;
      while (!cli.stdout.includes('"ttl-mismatch"')) {
        assert.ok(sent < 25, `no finding after ${sent} frames:\n${cli.stdout}\nstderr: ${cli.stderr}`);
        cli.sendBytes(records[sent++]);
        await pause(sent < 20 ? 10 : 150);
      }
      assert.equal(cli.child.exitCode, null, 'still running: stdin is open');
      const first = JSON.parse(cli.lines[0]) as Record<string, unknown>;
      assert.deepEqual([first.event, first.code, first.frame, first.line], ['report', 'ttl-mismatch', 21, 39]);
      assert.ok(sent <= 22, `reported only after frame ${sent} arrived`);
      for (const r of records.slice(sent)) cli.sendBytes(r);
      cli.child.stdin.end();
      assert.equal(await cli.exit, 1);
      assert.equal(cli.stderr, '');
    } finally {
      cli.child.kill();
    }
  });
});
