import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { artifactUriFromPath, toSarif, type SarifLog } from '../../server/src/sarif';
import { sarifSchemaValidator } from '../support/sarifSchema';
import { describeFinding } from '../../server/src/core/describe';

/*
 * SARIF output checked against the official SARIF 2.1.0 schema (the copy @microsoft/jest-sarif
 * ships), with ajv 8 + ajv-formats, on real captures: the article's seed and a namespace-lab one.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SEED = path.join(ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt');
const LAB = path.join(ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.nv.txt');

const validate = sarifSchemaValidator();

function assertValid(log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, `SARIF schema errors:\n${JSON.stringify(validate.errors, null, 2)}`);
}

describe('toSarif', () => {
  it('the validator rejects what the schema forbids (so passing means something)', () => {
    const a = analyze(readFileSync(SEED, 'utf8'));
    const log = toSarif([{ uri: 'seed.txt', analysis: a }], '0.1.0') as unknown as {
      runs: { results: { level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    const badLevel = structuredClone(log);
    badLevel.runs[0].results[0].level = 'serious';
    assert.equal(validate(badLevel), false);
    const zeroLine = structuredClone(log);
    zeroLine.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    assert.equal(validate(zeroLine), false);
    const badUri = toSarif([{ uri: 'a b\\c', analysis: a }], '0.1.0');
    assert.equal(validate(badUri), false, 'a raw path with a space is not a URI reference');
  });

  it('seed capture: valid SARIF 2.1.0 with the three forged-RST warnings and their baseline packets', () => {
    const text = readFileSync(SEED, 'utf8');
    const analysis = analyze(text);
    const log = toSarif([{ uri: 'test/fixtures/seed-firewall-rst.txt', analysis }], '0.1.0');
    assertValid(log);

    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'tcpdump-lens');
    assert.equal(run.tool.driver.version, '0.1.0');
    assert.match(run.tool.driver.informationUri, /^https:\/\//);
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    assert.equal(new Set(ruleIds).size, ruleIds.length, 'one rule per finding code');
    for (const r of run.tool.driver.rules) assert.ok(r.shortDescription.text.length > 10, r.id);

    // The fixture README: warnings on lines 2, 4, 6 only.
    const warnings = run.results.filter((r) => r.level === 'warning');
    assert.deepEqual(
      warnings.map((r) => r.locations[0].physicalLocation.region!.startLine),
      [2, 4, 6],
    );
    assert.equal(run.results.length, analysis.findings.length);
    run.results.forEach((r, i) => {
      const f = analysis.findings[i];
      assert.equal(r.ruleId, f.code);
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      assert.equal(r.message.text, describeFinding(f, 'en'));
      assert.equal(r.level, f.severity === 'warning' ? 'warning' : 'note');
      const reg = r.locations[0].physicalLocation.region!;
      // 1-based and end-exclusive: the region covers exactly the finding's text.
      const line = text.split('\n')[reg.startLine - 1];
      assert.equal(reg.startColumn, 1);
      if (reg.endLine === reg.startLine) assert.equal(reg.endColumn, line.length + 1);
    });
    for (const w of warnings) {
      assert.equal(w.ruleId, 'ttl-mismatch');
      assert.ok(w.relatedLocations && w.relatedLocations.length > 0, 'a TTL finding cites its baseline packets');
      for (const rel of w.relatedLocations) {
        const reg = rel.physicalLocation.region!;
        const line = text.split('\n')[reg.startLine - 1];
        // Related regions point at the number of the baseline packet's "ttl N".
        assert.match(line.slice(0, reg.endColumn - 1), /ttl +\d+$/); // tcpdump 3.9 pads: "ttl  61"
        assert.match(line.slice(reg.startColumn - 1, reg.endColumn - 1), /^\d+$/);
        assert.match(rel.message!.text, /\d+ hops?/);
      }
    }
  });

  it('lab capture: valid, and the forged RSTs of expected.json are the warnings', () => {
    const expected = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'lab', 'expected.json'), 'utf8'))
      .files['ttl64-ipv4.nv.txt'] as { forgedRstLines: number[] };
    const analysis = analyze(readFileSync(LAB, 'utf8'));
    const log: SarifLog = toSarif(
      [
        { uri: artifactUriFromPath('test/fixtures/lab/ttl64-ipv4.nv.txt'), analysis },
        { uri: artifactUriFromPath('/tmp/with space/#seed.txt'), analysis: analyze(readFileSync(SEED, 'utf8')) },
      ],
      '0.1.0-dev+abc',
    );
    assertValid(log);
    const run = log.runs[0];
    assert.deepEqual(
      run.artifacts.map((a) => a.location.uri),
      ['test/fixtures/lab/ttl64-ipv4.nv.txt', 'file:///tmp/with%20space/%23seed.txt'],
    );
    const labWarnings = run.results.filter(
      (r) => r.level === 'warning' && r.locations[0].physicalLocation.artifactLocation.index === 0,
    );
    assert.deepEqual(
      labWarnings.map((r) => r.locations[0].physicalLocation.region!.startLine),
      expected.forgedRstLines,
    );
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      assert.equal(loc.uri, run.artifacts[loc.index].location.uri);
    }
  });

  it('an empty or binary input still makes a valid log', () => {
    assertValid(toSarif([], 'dev'));
    const binary = analyze('\u0000\u0000\u0000\u0001\u00d4\u00c3\u00b2\u00a1\u0002\u0000\u0004\u0000'.repeat(20));
    const log = toSarif([{ uri: 'x.pcap', analysis: binary }], 'dev');
    assertValid(log);
    assert.deepEqual(
      log.runs[0].results.map((r) => r.ruleId),
      ['binary-capture'],
    );
    assert.equal(log.runs[0].results[0].level, 'note');
  });

  it('artifactUriFromPath', () => {
    assert.equal(artifactUriFromPath('captures/a.txt'), 'captures/a.txt');
    assert.equal(artifactUriFromPath('C:\\caps\\a b.txt'), 'file:///C:/caps/a%20b.txt');
    assert.equal(artifactUriFromPath('x:y.txt'), 'x%3Ay.txt');
    assert.equal(artifactUriFromPath('-'), 'stdin');
  });
});
