import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { REPO_ROOT } from '../support/lspClient';
import { sarifSchemaValidator } from '../support/sarifSchema';

/* `tcpdump-lens --format sarif`, validated against the official SARIF 2.1.0 schema with ajv 8. */

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
function sarifOf(args: string[]): { code: number | null; log: Log } {
  const r = spawnSync(process.execPath, [CLI, '--format', 'sarif', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.stderr, '');
  return { code: r.status, log: JSON.parse(r.stdout) as Log };
}

describe('CLI --format sarif', () => {
  const validate = sarifSchemaValidator();
  const valid = (log: Log): void => assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));

  it('the validator rejects a broken log (the check can fail)', () => {
    const { log } = sarifOf(['test/fixtures/seed-firewall-rst.txt']);
    const broken = JSON.parse(JSON.stringify(log)) as Log;
    (broken.runs[0].results![0] as unknown as Record<string, unknown>).level = 'severe';
    assert.equal(validate(broken), false);
  });

  it('seed capture: one run, a rule for every finding code, warnings with 1-based regions and related baseline packets', () => {
    const { code, log } = sarifOf(['test/fixtures/seed-firewall-rst.txt']);
    assert.equal(code, 1);
    valid(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'tcpdump-lens');
    const ruleIds = run.tool.driver.rules!.map((r) => r.id);
    const results = run.results!;
    for (const r of results) assert.ok(ruleIds.includes(r.ruleId!), `no rule for ${r.ruleId}`);
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level, r.locations![0].physicalLocation!.region!.startLine]),
      [
        ['checksum-offload', 'note', 1],
        ['ttl-mismatch', 'warning', 2],
        ['ttl-mismatch', 'warning', 4],
        ['ttl-mismatch', 'warning', 6],
      ],
    );
    const rst = results[1];
    assert.equal(rst.locations![0].physicalLocation!.artifactLocation!.uri, 'test/fixtures/seed-firewall-rst.txt');
    assert.equal(rst.locations![0].physicalLocation!.region!.startColumn, 1);
    assert.match(
      rst.message.text!,
      /^Forged RST: sent by a device 1 hop away, 2 hops before 192\.168\.40\.129 .* — 192\.168\.31\.128:49169 → 192\.168\.40\.129:22$/,
    );
    // The related locations are the TTL 61 of the server's own echo replies: the first three (8, 10, 12).
    assert.deepEqual(
      rst.relatedLocations!.map((l) => l.physicalLocation!.region!.startLine),
      [8, 10, 12],
    );
    const ttlColumn =
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/seed-firewall-rst.txt'), 'utf8').split('\n')[7].indexOf('61') +
      1;
    assert.equal(rst.relatedLocations![0].physicalLocation!.region!.startColumn, ttlColumn);
  });

  it('several files and a pcap in one run, each its own artifact', () => {
    const { log } = sarifOf([
      'test/fixtures/seed-firewall-rst.txt',
      'test/fixtures/lab/ttl64-ipv4.pcap',
      'test/fixtures/seed-4x/seed-genuine-rst.nv.txt',
    ]);
    valid(log);
    const run = log.runs[0];
    assert.deepEqual(
      run.artifacts!.map((a) => a.location!.uri),
      [
        'test/fixtures/seed-firewall-rst.txt',
        'test/fixtures/lab/ttl64-ipv4.pcap',
        'test/fixtures/seed-4x/seed-genuine-rst.nv.txt',
      ],
    );
    const byArtifact = [0, 1, 2].map(
      (i) => run.results!.filter((r) => r.locations![0].physicalLocation!.artifactLocation!.index === i).length,
    );
    assert.ok(byArtifact[0] === 4 && byArtifact[1] >= 2 && byArtifact[2] >= 1, JSON.stringify(byArtifact));
    // In the pcap, a finding is located by its frame (a logical location), never by a line or
    // column inside the binary file.
    for (const r of run.results!.filter((x) => x.locations![0].physicalLocation!.artifactLocation!.index === 1)) {
      for (const l of [...r.locations!, ...(r.relatedLocations ?? [])]) {
        assert.equal(l.physicalLocation!.region, undefined);
        assert.match(l.logicalLocations![0].name!, /^frame \d+$/);
        assert.equal(l.logicalLocations![0].kind, 'frame');
      }
    }
    const frames = run
      .results!.filter((x) => x.level === 'warning' && x.locations![0].physicalLocation!.artifactLocation!.index === 1)
      .map((x) => x.locations![0].logicalLocations![0].name);
    const json = JSON.parse(
      spawnSync(process.execPath, [CLI, '--format', 'json', 'test/fixtures/lab/ttl64-ipv4.pcap'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      }).stdout,
    ) as { files: { findings: { severity: string; frame: number }[] }[] };
    assert.deepEqual(
      frames,
      json.files[0].findings.filter((f) => f.severity === 'warning').map((f) => `frame ${f.frame}`),
    );
  });

  it('standard input and a capture without findings are valid logs too', () => {
    // Empty on purpose: with --allow-empty an input without packets is a clean run.
    const r = spawnSync(process.execPath, [CLI, '--format', 'sarif', '--allow-empty', '-'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      input: '',
    });
    assert.equal(r.status, 0);
    const log = JSON.parse(r.stdout) as Log;
    valid(log);
    assert.deepEqual(log.runs[0].results, []);
    assert.equal(log.runs[0].artifacts![0].location!.uri, 'stdin');
  });
});
