import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';
import { CLI, runCli, type CliResult } from '../support/cli';

/*
 * Inputs named by a path that is a pipe: a FIFO (mkfifo), /dev/stdin fed by a pipe, and bash's
 * process substitution <(…). None can seek or be read twice; each must give what the plain file gives.
 */

const TEXT = path.join('test', 'fixtures', 'seed-firewall-rst.txt');
const PCAP = path.join('test', 'fixtures', 'lab', 'ttl64-ipv4.pcap');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const run = (args: string[], input?: string | Buffer): CliResult => runCli(args, input, 20_000);

/** The output with the input's name taken out, so a pipe's and the file's can be compared. */
const unnamed = (stdout: string, name: string): string => stdout.split(name).join('FILE');

const posix = process.platform !== 'win32';

(posix ? describe : describe.skip)('CLI: pipes named as paths', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'lens-pipes-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const file of [TEXT, PCAP]) {
    const plain = (args: string[] = []): Result => run([...args, file]);

    it(`${path.basename(file)}: a FIFO with a writer (mkfifo), including a writer that hands over the first bytes alone`, async () => {
      const expected = plain();
      assert.ok(expected.code === 1, expected.stderr);
      for (const [i, writer] of [
        `cat "${file}"`,
        // Two bytes, a pause, the rest: the magic number arrives in two reads.
        `head -c 2 "${file}"; sleep 0.3; tail -c +3 "${file}"`,
      ].entries()) {
        const fifo = path.join(dir, `in${i}-${path.basename(file)}`);
        assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
        const child = spawn('sh', ['-c', `{ ${writer}; } > "${fifo}"`], { cwd: REPO_ROOT, stdio: 'ignore' });
        const done = new Promise((resolve) => child.on('exit', resolve));
        const r = run([fifo]);
        await done;
        assert.equal(r.code, expected.code, r.stderr);
        assert.equal(r.stderr, '');
        assert.equal(unnamed(r.stdout, fifo), unnamed(expected.stdout, file));
      }
    });

    it(`${path.basename(file)}: /dev/stdin fed by a pipe (and by the socket Node gives a child), for findings, --follow and --format json`, () => {
      const bytes = readFileSync(path.join(REPO_ROOT, file));
      for (const args of [[], ['--format', 'json'], ['--follow']]) {
        const expected = plain(args);
        const piped = spawnSync(
          'sh',
          ['-c', `cat "${file}" | "${process.execPath}" "${CLI}" ${args.join(' ')} /dev/stdin`],
          {
            cwd: REPO_ROOT,
            encoding: 'utf8',
            timeout: 20_000,
          },
        );
        const socket = run([...args, '/dev/stdin'], bytes);
        for (const r of [{ code: piped.status, stdout: piped.stdout, stderr: piped.stderr }, socket]) {
          assert.equal(r.code, expected.code, `${args.join(' ')}: ${r.stderr}`);
          assert.equal(unnamed(r.stdout, '/dev/stdin'), unnamed(expected.stdout, file));
        }
      }
    });

    it(`${path.basename(file)}: bash process substitution <(cat FILE)`, function () {
      if (spawnSync('bash', ['-c', 'true']).status !== 0) this.skip();
      const expected = plain();
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" <(cat "${file}")`], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, expected.code, r.stderr);
      const name = /^(\/dev\/fd\/\d+|\/proc\/self\/fd\/\d+):/m.exec(r.stdout)?.[1];
      assert.ok(name, r.stdout);
      assert.equal(unnamed(r.stdout, name), unnamed(expected.stdout, file));
    });
  }
});
