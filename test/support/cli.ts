import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './lspClient';

export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ARGS` from the repository root, with `input` on standard input. */
export function runCli(args: string[], input?: string | Buffer, timeout?: number): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input,
    maxBuffer: 64 << 20,
    timeout,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
