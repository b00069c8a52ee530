// Debian's Chromium, started by the suite itself (so it has a PID and process group the suite can
// end) and driven by playwright-core over the DevTools protocol on 127.0.0.1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { startOwned, stopOwned, waitFor } from './processes.mjs';

export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

export async function startBrowser(root) {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set E2E_CHROMIUM)`);
  const log = path.join(root, 'chromium.log');
  const profileDir = path.join(root, 'chromium-profile');
  fs.mkdirSync(profileDir, { recursive: true });
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    '--mute-audio',
    `--user-data-dir=${profileDir}`,
    '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0',
    '--window-size=1440,900',
    'about:blank',
  ];
  const proc = startOwned('chromium', CHROMIUM, args, {
    env: { ...process.env, HOME: profileDir },
    cwd: root,
    logFile: log,
  });
  // Chromium writes the port it picked to DevToolsActivePort in its profile folder.
  const portFile = path.join(profileDir, 'DevToolsActivePort');
  const port = await waitFor(
    `Chromium's DevToolsActivePort (log: ${log})`,
    () => {
      try {
        return Number(fs.readFileSync(portFile, 'utf8').split('\n')[0]) || undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 30_000, alive: proc },
  );
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  return {
    browser,
    proc,
    stop: async () => {
      await browser.close().catch(() => {});
      await stopOwned(proc);
    },
  };
}
