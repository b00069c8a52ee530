import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { runCli, type CliResult } from '../support/cli';

/*
 * Lines over the CLI's 1 MiB line limit, through every way the CLI reads text: the rest of such a
 * line is skipped with a note on stderr, the next lines are read, the findings and exit status are
 * those of the capture without the excess. (Uncapped, a line past 2^29 characters ended the
 * streamed paths with a RangeError and its stack; test/core/lineLimit.test.ts shows the cut with a
 * small limit.)
 */

const MB3 = 3 << 20;

const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input);

/** `line code` of each warning: what must agree between inputs. */
const warnings = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((l) => l.includes(': warning: '))
    .map((l) => l.replace(/^.*?:(\d+):\d+: warning: .* \[([a-z-]+)\].*$/, '$1 $2'));

describe('CLI: lines over the line limit', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let text: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lens-long-'));
    const seed = readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8').split('\n');
    // The first forged RST runs on for 3 MB; a 3 MB line of junk follows it.
    text = [seed[0], `${seed[1]} ${'x'.repeat(MB3)}`, 'y'.repeat(MB3), ...seed.slice(2)].join('\n');
    file = path.join(dir, 'long-lines.txt');
    writeFileSync(file, text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const modes: [string, () => ReturnType<typeof run>][] = [
    ['file, read whole', () => run([file])],
    ['file, --stream', () => run(['--stream', file])],
    ['standard input', () => run(['-'], text)],
    ['--follow -', () => run(['--follow', '-'], text)],
  ];
  for (const [name, go] of modes) {
    it(`${name}: the excess skipped with a note on stderr, every forged RST still found`, () => {
      const r = go();
      assert.equal(r.code, 1, r.stderr);
      // The three forged RSTs of the fixture, the lines after the junk one line further down.
      assert.deepEqual(
        [...new Set(warnings(r.stdout))],
        ['2 ttl-mismatch', '5 ttl-mismatch', '7 ttl-mismatch'],
        r.stdout,
      );
      const notes = r.stderr.trim().split('\n');
      assert.deepEqual(
        notes.map((l) => l.replace(/^tcpdump-lens: [^:]*: /, '')),
        [
          `line 2 is ${text.split('\n')[1].length} characters long, more than any tcpdump line: read its first 1048576, skipped the rest`,
          `line 3 is ${MB3} characters long, more than any tcpdump line: read its first 1048576, skipped the rest`,
        ],
      );
    });
  }

  it('--packets: the RST on the long line is exported, its line cut, and the note given', () => {
    const r = run(['--packets', file]);
    assert.equal(r.code, 0, r.stderr);
    const packets = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; flags?: string });
    assert.equal(packets.length, 14);
    assert.ok(
      packets.some((p) => p.line === 2 && p.flags === 'R.'),
      r.stdout.slice(0, 400),
    );
    assert.match(r.stderr, /: line 3 is 3145728 characters long/);
  });
});
