import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/lspClient';

/* package.json's `bin` (dist/cli.js) as a command: `npx tcpdump-lens`, and the file run directly. */

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const SEED = path.join('test', 'fixtures', 'seed-firewall-rst.txt');

describe('tcpdump-lens as a command', () => {
  it('package.json names dist/cli.js as the tcpdump-lens command', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin['tcpdump-lens'], 'dist/cli.js');
  });

  it('dist/cli.js starts with a node shebang and is executable, so it runs without `node` in front', () => {
    assert.equal(readFileSync(CLI, 'utf8').split('\n')[0], '#!/usr/bin/env node');
    assert.ok((statSync(CLI).mode & 0o111) !== 0, 'dist/cli.js is not executable: npm run build must chmod it');
    const r = spawnSync(CLI, [SEED], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l.includes(': warning: ')).length, 3);
  });

  it('npx --no-install tcpdump-lens runs it from the repository', () => {
    const r = spawnSync('npx', ['--no-install', 'tcpdump-lens', '--format', 'json', SEED], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.equal(r.status, 1, `${r.error ?? ''}${r.stderr}`);
    const json = JSON.parse(r.stdout) as { files: { findings: { severity: string }[] }[] };
    assert.equal(json.files[0].findings.filter((f) => f.severity === 'warning').length, 3);
  });
});
