import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli, type CliResult } from '../support/cli';

const fx = (f: string): string => path.join('test', 'fixtures', f);
const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input);

describe('CLI (node dist/cli.js)', () => {
  it('prints the seed findings like a linter and exits 1', () => {
    const r = run([fx('seed-firewall-rst.txt')]);
    assert.equal(r.code, 1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes(': warning: '));
    assert.equal(lines.length, 3);
    assert.match(r.stdout, /^test\/fixtures\/seed-firewall-rst\.txt:1:1: info: .*checksum.*\[checksum-offload\]$/m);
    lines.forEach((l, i) => {
      assert.match(
        l,
        new RegExp(
          `^test/fixtures/seed-firewall-rst\\.txt:${2 * i + 2}:1: warning: RST claims to come from 192\\.168\\.40\\.129 .* 2 hops before 192\\.168\\.40\\.129 .* \\[ttl-mismatch\\]$`,
        ),
      );
    });
  });

  it('exits 0 when nothing is forged, still printing information notes', () => {
    const r = run([fx('seed-4x/seed-genuine-rst.nv.txt')]);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /: warning: /);
    assert.match(r.stdout, /: info: .*\[checksum-offload\]/);
  });

  it('writes the documented JSON schema', () => {
    const r = run([fx('seed-firewall-rst.txt'), fx('seed-4x/seed-genuine-rst.nv.txt'), '--format', 'json']);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as {
      files: { file: string; packets: number; findings: Record<string, unknown>[] }[];
    };
    assert.equal(json.files.length, 2);
    assert.equal(json.files[0].packets, 14);
    assert.deepEqual(
      json.files[1].findings.map((f) => f.code),
      ['checksum-offload'],
    );
    const rst = json.files[0].findings[1];
    assert.deepEqual(
      Object.keys(rst).sort(),
      [
        'baselineHops',
        'code',
        'column',
        'confidence',
        'endLine',
        'hops',
        'initialTtl',
        'line',
        'message',
        'severity',
        'source',
        'ttl',
      ].sort(),
    );
    assert.deepEqual(rst, {
      line: 2,
      column: 1,
      endLine: 2,
      severity: 'warning',
      code: 'ttl-mismatch',
      source: 'tcpdump-lens',
      confidence: 'medium',
      message: rst.message,
      ttl: 63,
      initialTtl: 64,
      hops: 1,
      baselineHops: 3,
    });
  });

  it('reports the no-TTL notice as info, which alone does not fail the run', () => {
    const r = run([fx('seed-4x/seed-firewall-rst.n.txt')]);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^test\/fixtures\/seed-4x\/seed-firewall-rst\.n\.txt:1:1: info: This capture has no TTLs.*\[no-ttl\]$/m,
    );
  });

  it('--packets prints one JSON object per packet', () => {
    const r = run([fx('seed-firewall-rst.txt'), '--packets']);
    assert.equal(r.code, 0);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(recs.length, 14);
    assert.deepEqual(recs[1], {
      line: 2,
      src: '192.168.40.129',
      dst: '192.168.31.128',
      srcPort: 22,
      dstPort: 49169,
      proto: 'TCP',
      ttl: 63,
      ipId: 0,
      flags: 'R.',
    });
    assert.deepEqual(recs[7], {
      line: 8,
      src: '192.168.40.129',
      dst: '192.168.31.128',
      proto: 'ICMP',
      ttl: 61,
      ipId: 48987,
    });
  });

  it('reads standard input as -', () => {
    const r = run(
      ['-'],
      'IP (tos 0x0, ttl 61, id 1, offset 0, flags [none], proto: ICMP (1), length: 60) 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 1, seq 1, length 40\n',
    );
    assert.equal(r.code, 0);
  });

  it('--help documents every option, standard input, pcap input, follow mode and the exit codes', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    for (const word of [
      '--format text',
      '--format json',
      '--format sarif',
      'SARIF 2.1.0',
      '--packets',
      '--stream',
      '--follow',
      'tcpdump -nv -l | tcpdump-lens --follow -',
      "'-' for standard input",
      'pcap/pcapng',
      'exit status',
    ]) {
      assert.ok(r.stdout.includes(word), `--help does not mention ${word}`);
    }
  });

  it('--stream (two streamed passes) prints exactly what the one-pass default prints', () => {
    const files = [
      'seed-firewall-rst.txt',
      'seed-4x/seed-genuine-rst.nv.txt',
      'seed-4x/seed-firewall-rst.n.txt',
      'lab/ttl64-ipv6.nve.txt',
      'bad/hostile-names.v.txt',
    ].map(fx);
    for (const format of ['text', 'json', 'sarif']) {
      const whole = run([...files, '--format', format]);
      const streamed = run(['--stream', ...files, '--format', format]);
      assert.equal(streamed.code, whole.code);
      assert.equal(streamed.stdout, whole.stdout, format);
      assert.ok(whole.stdout.length > 500);
    }
  });

  it('rejects option combinations that cannot work', () => {
    for (const [args, why] of [
      [['--follow', 'a', 'b'], /--follow reads exactly one input/],
      [['--follow', '--format', 'sarif', '-'], /--follow prints findings as they come/],
      [['--packets', '--format', 'sarif', 'a'], /--packets prints JSON lines/],
    ] as [string[], RegExp][]) {
      const r = run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, why);
    }
  });

  it('exits 2 with a clear message on usage and read errors', () => {
    let r = run([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no input file given/);
    r = run(['--format', 'xml', fx('seed-firewall-rst.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format takes text, json or sarif, not 'xml'/);
    r = run(['--bogus', fx('seed-firewall-rst.txt')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--bogus'/);
    r = run(['does-not-exist.txt']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read does-not-exist\.txt: no such file/);
    r = run(['test']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read test: is a directory/);
  });
});
