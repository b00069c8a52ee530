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
          `^test/fixtures/seed-firewall-rst\\.txt:${2 * i + 2}:1: warning: Forged RST: sent by a device 1 hop away, 2 hops before 192\\.168\\.40\\.129 \\(device #1, medium, against its ICMP packets only\\) — 192\\.168\\.31\\.128:49169 → 192\\.168\\.40\\.129:22 \\[ttl-mismatch\\]$`,
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
        'device',
        'src',
        'dst',
        'srcPort',
        'dstPort',
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
      device: 1,
      src: '192.168.40.129',
      dst: '192.168.31.128',
      srcPort: 22,
      dstPort: 49169,
    });
  });

  it("JSON names the suspected devices per file: the seed's firewall 1 hop away with its three RSTs; none for the genuine seed", () => {
    const r = run([fx('seed-firewall-rst.txt'), fx('seed-4x/seed-genuine-rst.nv.txt'), '--format', 'json']);
    const json = JSON.parse(r.stdout) as { files: { devices: Record<string, unknown>[] }[] };
    assert.deepEqual(json.files[1].devices, []);
    const [d] = json.files[0].devices as {
      id: number;
      hops: number;
      initialTtl: number;
      claimedSources: unknown[];
      resets: { line: number; src: string; dst: string; srcPort: number; dstPort: number }[];
    }[];
    assert.equal(json.files[0].devices.length, 1);
    assert.deepEqual([d.id, d.hops, d.initialTtl], [1, 1, 64]);
    assert.deepEqual(d.claimedSources, [{ address: '192.168.40.129', hostHops: 3, hopsBefore: 2 }]);
    assert.deepEqual(
      d.resets.map((x) => [x.line, x.src, x.srcPort, x.dst, x.dstPort]),
      [2, 4, 6].map((line) => [line, '192.168.40.129', 22, '192.168.31.128', 49169]),
    );
  });

  it('a pcap: devices and findings carry frame numbers and timestamps', () => {
    const r = run([fx('seed-4x/seed-firewall-rst.pcap'), '--format', 'json']);
    const [file] = (
      JSON.parse(r.stdout) as {
        files: {
          devices: { resets: { frame: number; timestamp: string }[] }[];
          findings: { frame: number; device?: number; timestamp?: string }[];
        }[];
      }
    ).files;
    assert.deepEqual(
      file.devices[0].resets.map((x) => x.frame),
      file.findings.filter((f) => f.device === 1).map((f) => f.frame),
    );
    assert.ok(file.devices[0].resets.every((x) => /^\d\d:\d\d:\d\d\.\d{6}$/.test(x.timestamp)));
  });

  it('--summary: one line per suspected device (English, or Japanese with --lang ja); "no forging device" otherwise', () => {
    let r = run([fx('seed-firewall-rst.txt'), '--summary']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      'test/fixtures/seed-firewall-rst.txt: device #1: 1 hop from the capture point, 2 hops before 192.168.40.129 — 3 RSTs claiming 192.168.40.129 on 1 connection (medium)\n',
    );
    r = run([fx('seed-firewall-rst.txt'), '--summary', '--lang', 'ja']);
    assert.match(r.stdout, /デバイス #1: キャプチャ地点から 1 ホップ、192\.168\.40\.129 の 2 ホップ手前/);
    r = run([fx('seed-4x/seed-genuine-rst.nv.txt'), '--summary']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'test/fixtures/seed-4x/seed-genuine-rst.nv.txt: no forging device\n');
  });

  it('--format report: the Markdown report to hand on, in English or Japanese', () => {
    const r = run([fx('seed-firewall-rst.txt'), '--format', 'report']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^# tcpdump Lens report: `test\/fixtures\/seed-firewall-rst\.txt`$/m);
    assert.match(r.stdout, /^## Device #1: 1 hop from the capture point, 2 hops before `192\.168\.40\.129`$/m);
    assert.equal(
      (r.stdout.match(/^\| — \| line [246] \| `192\.168\.31\.128:49169 → 192\.168\.40\.129:22` \|/gm) ?? []).length,
      3,
    );
    assert.match(r.stdout, /Is there a firewall or load balancer 2 hops before `192\.168\.40\.129`/);
    const ja = run([fx('seed-firewall-rst.txt'), '--format', 'report', '--lang', 'ja']);
    assert.match(ja.stdout, /ファイアウォールかロードバランサーはありますか/);
  });

  it('--min-confidence and --initial-ttls tell the analysis what the editor settings tell it', () => {
    // The seed's warnings are medium (compared with ICMP only): high only leaves none.
    let r = run([fx('seed-firewall-rst.txt'), '--min-confidence', 'high']);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /: warning: /);
    // With 255 as the only initial TTL, TTL 63 and 61 are 192 and 194 hops: still 2 apart, still warned.
    r = run([fx('seed-firewall-rst.txt'), '--initial-ttls', '255', '--format', 'json']);
    const findings = (
      JSON.parse(r.stdout) as { files: { findings: { initialTtl?: number; severity: string }[] }[] }
    ).files[0].findings.filter((f) => f.severity === 'warning');
    assert.deepEqual(
      findings.map((f) => f.initialTtl),
      [255, 255, 255],
    );
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
      '--format report',
      '--summary',
      '--lang',
      '--min-confidence',
      '--initial-ttls',
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
      [['--follow', '--format', 'report', '-'], /a report or summary needs the whole input/],
      [['--summary', '--format', 'json', 'a'], /--summary prints text lines/],
      [['--lang', 'fr', 'a'], /--lang takes en or ja, not 'fr'/],
      [['--min-confidence', 'sure', 'a'], /--min-confidence takes low, medium or high, not 'sure'/],
      [['--initial-ttls', '64,300', 'a'], /--initial-ttls takes a comma-separated list of TTLs/],
      [['--lang'], /--lang takes en or ja, not nothing/],
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
    assert.match(r.stderr, /--format takes text, json, sarif or report, not 'xml'/);
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
