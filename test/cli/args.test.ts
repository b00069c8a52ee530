import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCliArgs, UsageError, type CliArgs } from '../../server/src/cli/args';
import { runCli } from '../support/cli';
import { REPO_ROOT } from '../support/lspClient';

/*
 * The command line: the parser itself (in process, fast), and once through dist/cli.js what a usage
 * error, --help and --version print and how they exit.
 */

/** The parsed command line of a run (not --help or --version). */
function runArgs(argv: string[]): CliArgs {
  const args = parseCliArgs(argv);
  assert.equal(typeof args, 'object', argv.join(' '));
  return args as CliArgs;
}

const rejects = (argv: string[], message: RegExp): void =>
  assert.throws(
    () => parseCliArgs(argv),
    (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'),
    argv.join(' '),
  );

/** What the analysis and the report are told when no option says otherwise. */
const DEFAULTS = {
  summary: false,
  lang: 'en',
  options: { initialTtls: [32, 64, 128, 255], minimumConfidence: 'low' },
};

describe('CLI arguments', () => {
  it("--lang, --min-confidence, --initial-ttls and --summary become the run's language and analysis options", () => {
    const args = runArgs(['--lang=ja', '--min-confidence', 'medium', '--initial-ttls', '255,64,64', '--summary', 'x']);
    assert.equal(args.lang, 'ja');
    assert.equal(args.summary, true);
    assert.deepEqual(args.options, { initialTtls: [64, 255], minimumConfidence: 'medium' });
  });

  it('reads combined options in any order, = or a separate value, the last --format winning', () => {
    assert.deepEqual(parseCliArgs(['a.txt', '--stream', '--format=json', '--allow-empty', '-', 'b.pcap']), {
      files: ['a.txt', '-', 'b.pcap'],
      format: 'json',
      packets: false,
      follow: false,
      stream: true,
      allowEmpty: true,
      ...DEFAULTS,
    });
    assert.deepEqual(parseCliArgs(['--format', 'sarif', '--format', 'text', '--packets', 'x']), {
      files: ['x'],
      format: 'text',
      packets: true,
      follow: false,
      stream: false,
      allowEmpty: false,
      ...DEFAULTS,
    });
    assert.equal(runArgs(['--follow', '--format', 'json', '-']).follow, true);
  });

  it('takes what follows -- as file names', () => {
    assert.deepEqual(runArgs(['--', '--odd-name.txt']).files, ['--odd-name.txt']);
  });

  it('--help and --version win over files and other options', () => {
    assert.equal(parseCliArgs(['--help']), 'help');
    assert.equal(parseCliArgs(['a.txt', '-h', '--format', 'json']), 'help');
    assert.equal(parseCliArgs(['--version']), 'version');
    assert.equal(parseCliArgs(['--follow', 'a', 'b', '--version']), 'version');
  });

  it('rejects unknown options, missing or wrong values and impossible combinations, each in one line', () => {
    rejects(['--bogus', 'a.txt'], /^unknown option '--bogus'$/);
    rejects(['-x', 'a.txt'], /^unknown option '-x'$/);
    rejects(['a.txt', '--format'], /^--format takes text, json, sarif or report, not nothing$/);
    rejects(['--format', '--packets', 'a.txt'], /^--format takes text, json, sarif or report, not nothing$/);
    rejects(['--format', 'xml', 'a.txt'], /^--format takes text, json, sarif or report, not 'xml'$/);
    rejects(['--format=', 'a.txt'], /not ''$/);
    rejects(['--packets=yes', 'a.txt'], /^--packets takes no value$/);
    rejects([], /^no input file given$/);
    rejects(['--stream'], /^no input file given$/);
    rejects(['--follow', 'a', 'b'], /--follow reads exactly one input/);
    rejects(['--follow', '--format', 'sarif', '-'], /--follow prints findings as they come/);
    rejects(['--follow', '--packets', '-'], /--follow and --packets do not go together/);
    rejects(['--packets', '--format', 'sarif', 'a'], /--packets prints JSON lines/);
  });

  it('a usage error is one line and a pointer to --help on stderr, exit 2, nothing on stdout', () => {
    const r = runCli(['--bogus', 'a.txt']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "tcpdump-lens: unknown option '--bogus'\nTry 'tcpdump-lens --help'.\n");
  });

  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const r = runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `tcpdump-lens ${version}\n`);
    assert.equal(r.stderr, '');
  });

  it('--help prints the usage on stdout, mentions --version, exit 0', () => {
    const r = runCli(['-h']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: tcpdump-lens/);
    assert.match(r.stdout, /--version/);
    assert.equal(r.stderr, '');
  });
});
