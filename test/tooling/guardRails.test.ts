import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

/*
 * The pure core's guard rails, tried for real: a core file that imports vscode, Node or the glue
 * fails `npm run lint`, and one that reaches for a Node global fails the core's own tsconfig
 * ("types": []). A probe file is written into server/src/core for the run and removed after.
 */

const REPO = path.resolve(__dirname, '..', '..');
const PROBE = path.join(REPO, 'server', 'src', 'core', '__guardRailProbe.ts');

function withProbe<T>(source: string, run: () => T): T {
  // Synchronous only: the probe must be there for the whole run.
  writeFileSync(PROBE, source);
  try {
    return run();
  } finally {
    rmSync(PROBE, { force: true });
  }
}

describe('guard rails: the pure core stays pure', function () {
  this.timeout(120_000);

  it('npm run lint fails a core file that imports vscode, a Node module, a package or the LSP glue', async () => {
    const source = [
      "import * as vscode from 'vscode';",
      "import { readFileSync } from 'node:fs';",
      "import { createConnection } from 'vscode-languageserver';",
      "import { toDiagnostic } from '../toLsp';",
      "import { parseCapture } from './parse';",
      'export const probe = [vscode, readFileSync, createConnection, toDiagnostic, parseCapture];',
      '',
    ].join('\n');
    writeFileSync(PROBE, source);
    let messages;
    try {
      [{ messages }] = await new ESLint({ cwd: REPO }).lintFiles([PROBE]);
    } finally {
      rmSync(PROBE, { force: true });
    }
    const outside = messages.filter((m) => m.ruleId === 'lens/core-imports-only-core').map((m) => m.line);
    assert.deepEqual(outside, [1, 2, 3, 4], JSON.stringify(messages, null, 2));
  });

  it('the core\'s tsconfig ("types": []) rejects Node\'s globals in a core file', () => {
    const source = "export const probe = Buffer.from('x').length + process.pid;\n";
    const r = withProbe(source, () =>
      spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'server/src/core'], {
        cwd: REPO,
        encoding: 'utf8',
      }),
    );
    assert.notEqual(r.status, 0, 'tsc accepted Node globals in the core');
    assert.match(r.stdout, /__guardRailProbe\.ts.*Buffer/);
    assert.match(r.stdout, /__guardRailProbe\.ts.*process/);
  });

  it('the core as it is passes both', () => {
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'server/src/core'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout);
  });
});
