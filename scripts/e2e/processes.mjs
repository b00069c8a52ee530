// Child processes the suite owns: each is started in its own process group so that it, and whatever it
// spawned (code-server's extension host and language server, Chromium's renderers), can be ended by
// PID even when the suite fails half-way.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

const owned = new Set();

/** Starts `command` detached (a new process group) with its output appended to `logFile`. */
export function startOwned(name, command, args, { env, cwd, logFile }) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (!child.pid) throw new Error(`${name}: could not start ${command}`);
  const entry = { name, pid: child.pid, child, exited: false };
  child.on('exit', () => {
    entry.exited = true;
  });
  owned.add(entry);
  return entry;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is already gone */
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends one owned process group: SIGTERM, then SIGKILL if anything in it outlives `graceMs`. */
export async function stopOwned(entry, graceMs = 3000) {
  if (!owned.has(entry)) return;
  owned.delete(entry);
  signalGroup(entry.pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (groupAlive(entry.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(entry.pid)) signalGroup(entry.pid, 'SIGKILL');
}

export async function stopAllOwned() {
  for (const entry of [...owned].reverse()) await stopOwned(entry);
}

// Last resort when the suite is interrupted or throws past its finally blocks: no waiting is
// possible in 'exit', so kill outright.
process.on('exit', () => {
  for (const e of owned) signalGroup(e.pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(
      `\ne2e: ${sig}, stopping ${[...owned].map((e) => `${e.name} (pid ${e.pid})`).join(', ') || 'nothing'}`,
    );
    void stopAllOwned().finally(() => process.exit(130));
  });
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; closed again before returning). */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check()` returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor(what, check, { timeoutMs, intervalMs = 200, alive } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (alive && alive.exited) throw new Error(`${alive.name} (pid ${alive.pid}) exited while waiting for ${what}`);
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
