// One clean code-server (a real VS Code 1.100.3 workbench and Node extension host): its own
// user-data, extensions, config and XDG folders under the suite's temp folder, bound to 127.0.0.1.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { freeLoopbackPort, startOwned, stopOwned, waitFor } from './processes.mjs';

export const CODE_SERVER_VERSION = '4.100.3';

/** The code-server binary installed by scripts/e2e/install-code-server.sh, or a clear error. */
export function codeServerBinary(repoRoot) {
  const prefix = process.env.CODE_SERVER_PREFIX || path.join(repoRoot, '.cache', 'code-server');
  const bin = path.join(prefix, 'node_modules', '.bin', 'code-server');
  const pkg = path.join(prefix, 'node_modules', 'code-server', 'package.json');
  if (!fs.existsSync(bin) || !fs.existsSync(pkg)) {
    throw new Error(`code-server is not installed in ${prefix}: run scripts/e2e/install-code-server.sh first`);
  }
  const version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  if (version !== CODE_SERVER_VERSION) {
    throw new Error(
      `${prefix} holds code-server ${version}, not ${CODE_SERVER_VERSION}: run scripts/e2e/install-code-server.sh`,
    );
  }
  return bin;
}

/** Folders and environment for a code-server that reads and writes nothing outside `root`. */
export function cleanProfile(root, userSettings) {
  const dirs = {
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    xdgConfig: path.join(root, 'xdg-config'),
    xdgData: path.join(root, 'xdg-data'),
    xdgCache: path.join(root, 'xdg-cache'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const config = path.join(root, 'code-server.yaml');
  // --bind-addr on the command line wins, but an explicit config keeps code-server from creating ~/.config/code-server.
  fs.writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, JSON.stringify(userSettings, null, 2));
  const env = {
    ...process.env,
    HOME: path.join(root, 'home'),
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    // code-server reads these over its own flags in some code paths; keep them from leaking in from CI.
    PASSWORD: '',
    HASHED_PASSWORD: '',
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  fs.mkdirSync(env.HOME, { recursive: true });
  const common = ['--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  return { root, dirs, config, settingsFile, env, common, log: path.join(root, 'code-server.log') };
}

/** `code-server --install-extension X.vsix` into the clean profile; returns the installed folder. */
export function installVsix(bin, profile, vsix, expectedId) {
  const r = spawnSync(bin, [...profile.common, '--install-extension', vsix], {
    env: profile.env,
    encoding: 'utf8',
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  }
  const installed = fs
    .readdirSync(profile.dirs.extensions)
    .filter((d) => d.toLowerCase().startsWith(`${expectedId.toLowerCase()}-`));
  if (installed.length !== 1) {
    throw new Error(
      `expected one ${expectedId}-* folder in ${profile.dirs.extensions}, found: ${fs.readdirSync(profile.dirs.extensions).join(', ') || 'none'}\n${r.stdout}`,
    );
  }
  return path.join(profile.dirs.extensions, installed[0]);
}

function healthz(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Starts code-server on a free 127.0.0.1 port; resolves once GET /healthz answers 200. */
export async function startCodeServer(bin, profile) {
  const port = await freeLoopbackPort();
  const args = [
    ...profile.common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const proc = startOwned('code-server', bin, args, { env: profile.env, cwd: profile.root, logFile: profile.log });
  await waitFor(`code-server GET http://127.0.0.1:${port}/healthz (log: ${profile.log})`, () => healthz(port), {
    timeoutMs: 60_000,
    alive: proc,
  });
  return { port, proc, url: `http://127.0.0.1:${port}`, stop: () => stopOwned(proc) };
}
