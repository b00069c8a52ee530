import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { sarifSchemaValidator } from '../support/sarifSchema';
import { runCli, type CliResult } from '../support/cli';

/*
 * Runs that cannot be clean: an unreadable input among several (the document must still be whole,
 * for the inputs that were read, and say which one failed), and inputs without a single packet
 * (which a pipeline must not take for "no forged RST").
 */

const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input);

const GOOD = path.join('test', 'fixtures', 'seed-firewall-rst.txt');
const MISSING = path.join('test', 'fixtures', 'no-such-capture.txt');
const DIRECTORY = path.join('test', 'fixtures');

interface JsonOut {
  files: { file: string; packets: number; findings: { code: string }[] }[];
  errors?: { file: string; message: string }[];
}

const validate = sarifSchemaValidator();
const valid = (log: Log): void => assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));

describe('CLI: a later (or earlier) input cannot be read', () => {
  const good = JSON.parse(run(['--format', 'json', GOOD]).stdout) as JsonOut;
  const cases: { name: string; files: string[]; bad: string; why: RegExp }[] = [
    { name: 'good, missing', files: [GOOD, MISSING], bad: MISSING, why: /no such file/ },
    { name: 'missing, good', files: [MISSING, GOOD], bad: MISSING, why: /no such file/ },
    { name: 'good, directory', files: [GOOD, DIRECTORY], bad: DIRECTORY, why: /is a directory/ },
  ];

  for (const c of cases) {
    it(`${c.name}: --format json is a whole document with the good file's findings and the error; exit 2`, () => {
      const r = run(['--format', 'json', ...c.files]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^tcpdump-lens: cannot read ${c.bad}: ${c.why.source}$`, 'm'));
      const json = JSON.parse(r.stdout) as JsonOut;
      assert.deepEqual(json.files, good.files);
      assert.equal(json.errors?.length, 1);
      assert.equal(json.errors[0].file, c.bad);
      assert.match(json.errors[0].message, c.why);
    });

    it(`${c.name}: --format sarif is a valid log with the good file's results and an error notification`, () => {
      const r = run(['--format', 'sarif', ...c.files]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, c.why);
      const log = JSON.parse(r.stdout) as Log;
      valid(log);
      const runOut = log.runs[0];
      assert.deepEqual(
        runOut.artifacts!.map((a) => a.location!.uri),
        [GOOD],
      );
      assert.equal(runOut.results!.length, good.files[0].findings.length);
      const invocation = runOut.invocations![0];
      assert.equal(invocation.executionSuccessful, false);
      const notes = invocation.toolExecutionNotifications!;
      assert.equal(notes.length, 1);
      assert.equal(notes[0].level, 'error');
      assert.match(notes[0].message.text!, c.why);
      assert.equal(notes[0].locations![0].physicalLocation!.artifactLocation!.uri, c.bad);
    });

    it(`${c.name}: text prints the good file's findings and the error on stderr`, () => {
      const r = run(c.files);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, run([GOOD]).stdout);
      assert.match(r.stderr, c.why);
    });
  }

  it('a clean SARIF run says so', () => {
    const log = JSON.parse(run(['--format', 'sarif', GOOD]).stdout) as Log;
    valid(log);
    assert.deepEqual(log.runs[0].invocations, [{ executionSuccessful: true }]);
  });

  it('--packets: the readable inputs are still printed, exit 2', () => {
    const r = run(['--packets', MISSING, GOOD]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read .*no-such-capture\.txt: no such file/);
    assert.equal(r.stdout.trim().split('\n').length, 14);
  });
});

describe('CLI: no packets is not a clean run', () => {
  let dir: string;
  let empty: string;
  let prose: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lens-empty-'));
    empty = path.join(dir, 'empty.txt');
    prose = path.join(dir, 'notes.txt');
    writeFileSync(empty, '');
    writeFileSync(prose, 'tcpdump: no packets were captured\nnothing to see here\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty file and text without packets: exit 2, said on stderr; --allow-empty accepts them', () => {
    for (const file of [empty, prose]) {
      const r = run([file]);
      assert.equal(r.code, 2, file);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(`^tcpdump-lens: no packets found in ${file} \\(--allow-empty accepts that\\)$`, 'm'),
      );
      const allowed = run(['--allow-empty', file]);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(allowed.stderr, '');
    }
  });

  it('standard input, --stream and --follow too', () => {
    for (const args of [['-'], ['--stream', empty], ['--follow', '-']]) {
      const r = run(args, '');
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /no packets found in (standard input|.*empty\.txt)/);
      assert.equal(run(['--allow-empty', ...args], '').code, 0);
    }
  });

  it('JSON and SARIF still print the valid document, with the error', () => {
    const json = run(['--format', 'json', GOOD, empty]);
    assert.equal(json.code, 2);
    const doc = JSON.parse(json.stdout) as JsonOut;
    assert.deepEqual(
      doc.files.map((f) => f.packets),
      [14, 0],
    );
    assert.deepEqual(doc.errors, [{ file: empty, message: `no packets found in ${empty}` }]);
    const sarif = run(['--format', 'sarif', empty]);
    assert.equal(sarif.code, 2);
    const log = JSON.parse(sarif.stdout) as Log;
    valid(log);
    assert.equal(log.runs[0].invocations![0].executionSuccessful, false);
    assert.match(log.runs[0].invocations![0].toolExecutionNotifications![0].message.text!, /no packets found/);
    const allowed = JSON.parse(run(['--format', 'sarif', '--allow-empty', empty]).stdout) as Log;
    assert.deepEqual(allowed.runs[0].invocations, [{ executionSuccessful: true }]);
  });

  it('--help documents --allow-empty', () => {
    assert.match(run(['--help']).stdout, /--allow-empty/);
  });
});
