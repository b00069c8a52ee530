// npm run test:e2e — the packaged extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3,
// real Node extension host), driven through Debian's Chromium by playwright-core. Everything is
// asserted from the workbench DOM a user sees. One code-server and one browser for the whole suite.
//
//   node scripts/e2e/run.mjs [--update-images]
//     --update-images  also copy the cropped README screenshots into docs/images/
//   env: CODE_SERVER_PREFIX (default .cache/code-server), E2E_CHROMIUM (default /usr/bin/chromium),
//        E2E_KEEP=1 keeps the temp folder (profiles, logs, workspace).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBrowser } from './browser.mjs';
import { cleanProfile, codeServerBinary, installVsix, startCodeServer } from './codeServer.mjs';
import { stopAllOwned } from './processes.mjs';
import { vsixContentProblems, vsixEntries, vsixReadmeProblems } from './vsix.mjs';
import {
  editorLine,
  hopMapFrame,
  languageMode,
  lineTokens,
  openFile,
  problemCounts,
  problemRows,
  runCommand,
  problemPhraseVisible,
  showProblems,
} from './workbench.mjs';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = path.join(REPO, '.e2e-artifacts');
const DOC_IMAGES = path.join(REPO, 'docs', 'images');
const VSIX = path.join(REPO, 'tcpdump-lens.vsix');
const EXTENSION_ID = 'tcpdump-lens.tcpdump-lens';
const VSIX_MAX_BYTES = 1024 * 1024;
const README_IMAGE_MAX_BYTES = 150 * 1024;
const UPDATE_IMAGES = process.argv.includes('--update-images');
const started = Date.now();

// The workspace: the seed capture under the documented `.pcap.txt` extension, and a lab capture under
// a name with no registered extension, so the language comes from its first line. (A plain `.txt`
// stays Plain Text in VS Code: the built-in `.txt` association beats any firstLine pattern.)
const SEED = {
  fixture: path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'),
  name: 'seed-firewall-rst.pcap.txt',
};
const LAB_FILE = 'ttl64-ipv4.nv.txt';
const LAB = { fixture: path.join(REPO, 'test', 'fixtures', 'lab', LAB_FILE), name: 'ttl64-ipv4.nv' };

// A binary lab capture, opened through the extension's custom editor as tcpdump -nv text.
// VS Code's own .txt association beats firstLine: the client adopts such files (client/src/plainTextCaptures.ts).
const PLAIN_TXT = { fixture: path.join(REPO, 'test', 'fixtures', 'seed-firewall-rst.txt'), name: 'capture.txt' };
const PCAP = { fixture: path.join(REPO, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'), name: 'ttl64-ipv4.pcap' };

// A generated capture with 40 RST senders (servers behind six forging firewalls, several at the same
// distance) and 120 ping-only clients: made at run time by scripts/fixtures/manySenders.ts, never committed.
const MANY = { name: 'many-senders.pcap.txt', servers: 40, clients: 120 };

/** The manifest's custom editor for *.pcap, if package.json contributes one. */
function pcapEditorContribution() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  return (manifest.contributes?.customEditors ?? []).find((e) =>
    (e.selector ?? []).some((sel) => /\*\.pcap$/.test(sel.filenamePattern ?? '')),
  );
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'problems.defaultViewMode': 'table',
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

class StepFailure extends Error {}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function log(message) {
  console.log(`[e2e ${seconds(Date.now() - started).padStart(7)}] ${message}`);
}

let page; // set once the browser is up, so failures can be photographed

async function step(name, body) {
  const t = Date.now();
  try {
    const result = await body();
    log(`ok   ${name} (${seconds(Date.now() - t)})`);
    return result;
  } catch (error) {
    let shot = '(no browser page yet)';
    if (page) {
      shot = path.join(ARTIFACTS, `failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      await page.screenshot({ path: shot }).catch((e) => {
        shot = `(screenshot failed: ${e.message})`;
      });
    }
    // Playwright appends its whole call log to messages: the first lines say what went wrong.
    const message = String(error?.message ?? error)
      .split('\n')
      .slice(0, 8)
      .join('\n');
    throw new StepFailure(
      `e2e step "${name}" failed after ${seconds(Date.now() - t)}: ${message}\n  screenshot: ${shot}`,
      { cause: error },
    );
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function sameList(actual, expected, what) {
  const a = JSON.stringify(actual, null, 1);
  const e = JSON.stringify(expected, null, 1);
  check(a === e, `${what}\n  expected: ${e.replace(/\n\s*/g, ' ')}\n  shown:    ${a.replace(/\n\s*/g, ' ')}`);
}

/** The CLI's findings for a fixture: a second, independent reading of what the editor must show. */
function cliFindings(fixture) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), '--format', 'json', fixture], {
    encoding: 'utf8',
  });
  check(r.status === 0 || r.status === 1, `dist/cli.js ${fixture} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout).files[0].findings;
}

const SEVERITY = { error: 'error', warning: 'warning', information: 'info', hint: 'hint' };
const asRow = (f) => `${SEVERITY[f.severity] ?? f.severity} ${f.line}:${f.column} ${f.code}`;

/** Problems panel rows for one file, as "severity line:col code", in line order. */
function rowsOf(rows, file) {
  return rows
    .filter((r) => r.file === file)
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((r) => `${r.severity} ${r.line}:${r.column} ${r.code}`);
}

async function screenshot(name, clip, { readme = false } = {}) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  const bounded = {
    x: Math.max(0, Math.floor(clip.x)),
    y: Math.max(0, Math.floor(clip.y)),
    width: Math.ceil(clip.width),
    height: Math.ceil(clip.height),
  };
  await page.screenshot({ path: file, clip: bounded });
  const bytes = fs.statSync(file).size;
  if (readme) {
    check(
      bytes < README_IMAGE_MAX_BYTES,
      `${file} is ${bytes} bytes; README images must stay under ${README_IMAGE_MAX_BYTES}`,
    );
    if (UPDATE_IMAGES) fs.copyFileSync(file, path.join(DOC_IMAGES, `${name}.png`));
  }
  log(
    `     screenshot ${path.relative(REPO, file)} (${Math.round(bytes / 1024)} KB${readme && UPDATE_IMAGES ? ', copied to docs/images/' : ''})`,
  );
  return file;
}

function union(...boxes) {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return {
    x,
    y,
    width: Math.max(...boxes.map((b) => b.x + b.width)) - x,
    height: Math.max(...boxes.map((b) => b.y + b.height)) - y,
  };
}

function pad(box, by, viewport) {
  const x = Math.max(0, box.x - by);
  const y = Math.max(0, box.y - by);
  return {
    x,
    y,
    width: Math.min(viewport.width - x, box.width + 2 * by),
    height: Math.min(viewport.height - y, box.height + 2 * by),
  };
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (UPDATE_IMAGES) fs.mkdirSync(DOC_IMAGES, { recursive: true });
  const bin = codeServerBinary(REPO);
  const labExpected = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'lab', 'expected.json'), 'utf8'))
    .files[LAB_FILE];
  check(
    labExpected?.ttlPrinted && labExpected.forgedRstLines.length > 0,
    `test/fixtures/lab/expected.json has no forged RSTs for ${LAB_FILE}`,
  );

  await step('npm run package', () => {
    fs.rmSync(VSIX, { force: true });
    const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO, encoding: 'utf8' });
    check(r.status === 0 && fs.existsSync(VSIX), `npm run package exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    const entries = vsixEntries(VSIX);
    const bytes = fs.statSync(VSIX).size;
    // The details page: README.extension.md, every image it shows packaged under a relative path.
    const readme = vsixReadmeProblems(VSIX, entries);
    const problems = [...readme.problems, ...vsixContentProblems(entries, readme.images)];
    check(problems.length === 0, `tcpdump-lens.vsix:\n  ${problems.join('\n  ')}`);
    check(bytes < VSIX_MAX_BYTES, `tcpdump-lens.vsix is ${bytes} bytes (limit ${VSIX_MAX_BYTES})`);
    log(`     tcpdump-lens.vsix: ${entries.length} files, ${Math.round(bytes / 1024)} KB`);
    log(`     readme: README.extension.md, images packaged: ${readme.images.join(', ')}`);
  });
  // After packaging: it built dist/cli.js.
  const seedFindings = cliFindings(SEED.fixture);
  const labFindings = cliFindings(LAB.fixture);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-e2e-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  for (const f of [SEED, LAB, PCAP, PLAIN_TXT]) fs.copyFileSync(f.fixture, path.join(workspace, f.name));
  {
    const args = ['--servers', String(MANY.servers), '--clients', String(MANY.clients)];
    const script = path.join(REPO, 'scripts', 'fixtures', 'manySenders.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, path.join(workspace, MANY.name), ...args], {
      cwd: REPO,
      encoding: 'utf8',
    });
    check(r.status === 0, `scripts/fixtures/manySenders.ts exited ${r.status}: ${r.stderr}`);
  }
  const profile = cleanProfile(path.join(tmp, 'code-server'), USER_SETTINGS);
  let failed = true;
  try {
    await step('install the .vsix into a clean code-server', () => {
      const dir = installVsix(bin, profile, VSIX, EXTENSION_ID);
      log(`     installed ${path.relative(tmp, dir)}`);
    });
    const server = await step('start code-server on 127.0.0.1', () => startCodeServer(bin, profile));
    log(`     code-server pid ${server.proc.pid} at ${server.url}`);
    const browser = await step('start Chromium', () => startBrowser(tmp));
    log(`     chromium pid ${browser.proc.pid}`);
    const context = browser.browser.contexts()[0] ?? (await browser.browser.newContext());
    // The report goes to the clipboard (Copy Report); the suite reads it back.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    const viewport = { width: 1280, height: 800 };
    await page.setViewportSize(viewport);
    page.setDefaultTimeout(30_000);

    await step('open the workspace', async () => {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
      await page.waitForSelector(`.explorer-folders-view .monaco-list-row[aria-label^="${SEED.name}"]`, {
        timeout: 60_000,
      });
    });

    await step('the lab capture is tcpdump by its first line', async () => {
      await openFile(page, LAB.name);
      const mode = await languageMode(page);
      check(mode === 'tcpdump', `${LAB.name} opened as "${mode}", not tcpdump`);
    });
    await step('the seed capture (.pcap.txt) is tcpdump', async () => {
      await openFile(page, SEED.name);
      const mode = await languageMode(page);
      check(mode === 'tcpdump', `${SEED.name} opened as "${mode}", not tcpdump`);
    });
    // Files are opened through Quick Open from here on: the side bar only takes room from the pictures.
    await step('close the side bar', () => runCommand(page, 'View: Close Primary Side Bar'));

    let expectedTotal = seedFindings.length + labFindings.length;
    await step('Problems panel: exactly the expected warnings and notes', async () => {
      await showProblems(page);
      // Cold start: the extension activates, its server starts and analyses both files.
      const until = Date.now() + 90_000;
      let counts;
      while (
        (counts = await problemCounts(page)).warnings + counts.infos + counts.errors < expectedTotal &&
        Date.now() < until
      ) {
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(500); // let the table render the last update
      const rows = await problemRows(page);
      check(
        rows.length === counts.warnings + counts.infos + counts.errors,
        `the Problems table renders ${rows.length} rows but the status bar counts ${counts.label}`,
      );
      check(
        rows.every((r) => r.source === 'tcpdump-lens'),
        `rows from other sources: ${JSON.stringify(rows.filter((r) => r.source !== 'tcpdump-lens'))}`,
      );

      // The seed: 3 warnings (the forged RSTs on lines 2, 4, 6) and 1 Information note (checksum offload, line 1).
      const seedRows = rowsOf(rows, SEED.name);
      sameList(
        seedRows,
        [
          'info 1:1 checksum-offload',
          'warning 2:1 ttl-mismatch',
          'warning 4:1 ttl-mismatch',
          'warning 6:1 ttl-mismatch',
        ],
        `${SEED.name}: Problems panel rows`,
      );
      sameList(seedRows, seedFindings.map(asRow), `${SEED.name}: Problems panel vs dist/cli.js`);
      for (const r of rows.filter((x) => x.file === SEED.name && x.severity === 'warning')) {
        check(
          /2 hops before 192\.168\.40\.129/.test(r.message),
          `seed warning on line ${r.line} lacks the hop story: ${r.message}`,
        );
      }
      // The conclusion is in what the reader sees of the row, not cut off behind an ellipsis.
      const seen = await problemPhraseVisible(page, SEED.name, '2 hops before 192.168.40.129');
      check(
        seen.length >= 3 && seen.every((x) => x.visible),
        `the conclusion is cut off in a Problems row: ${JSON.stringify(seen)}`,
      );
      // The lab file: warnings on exactly the RSTs the lab forged (expected.json), and the same rows the CLI reports.
      const labRows = rowsOf(rows, LAB.name);
      sameList(
        labRows.filter((r) => r.startsWith('warning ')),
        labExpected.forgedRstLines.map((l) => `warning ${l}:1 ttl-mismatch`),
        `${LAB.name}: warnings vs test/fixtures/lab/expected.json forgedRstLines`,
      );
      sameList(labRows, labFindings.map(asRow), `${LAB.name}: Problems panel vs dist/cli.js`);
      check(
        rows.length === seedRows.length + labRows.length,
        `rows for unexpected files: ${JSON.stringify(rows.filter((r) => r.file !== SEED.name && r.file !== LAB.name))}`,
      );
      log(`     ${counts.label}: ${SEED.name} [${seedRows.join(', ')}], ${LAB.name} [${labRows.join(', ')}]`);

      const panel = await page.locator('.part.panel').boundingBox();
      await screenshot(
        'problems',
        { x: panel.x, y: panel.y, width: Math.min(panel.width, 1100), height: panel.height },
        { readme: true },
      );
    });

    await step('the grammar colours the RST line (TTL, flags)', async () => {
      const line = await editorLine(page, 2);
      const tokens = await lineTokens(line);
      const plain = tokens.find((t) => t.classes.includes('mtk1'))?.color;
      const ttl = tokens.find((t) => t.text.trim() === '63');
      const rst = tokens.find((t) => t.text.trim() === 'R');
      const ttlKey = tokens.find((t) => t.text.trim() === 'ttl');
      check(
        ttl && rst && ttlKey,
        `line 2 is not split into TTL/flag tokens: ${JSON.stringify(tokens.map((t) => t.text))}`,
      );
      check(
        ttl.color !== plain && ttl.bold,
        `TTL value 63 is not coloured and bold (constant.numeric.integer.ttl.tcpdump strong): ${JSON.stringify(ttl)}`,
      );
      check(
        rst.color !== plain && rst.color !== ttl.color && rst.bold,
        `RST flag is not coloured apart (markup.deleted.flags.tcp.reset.tcpdump strong): ${JSON.stringify(rst)}`,
      );
      check(ttlKey.color !== plain, `"ttl" keyword is not coloured: ${JSON.stringify(ttlKey)}`);
      const classes = new Set(tokens.flatMap((t) => t.classes.filter((c) => c !== 'mtkb')));
      check(classes.size >= 4, `only ${classes.size} token colours on line 2: ${[...classes].join(' ')}`);

      // The scopes themselves, from VS Code's own token inspector with the cursor on the TTL value.
      await line.locator('span > span', { hasText: /^63$/ }).first().click();
      await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
      const inspector = page.locator('.token-inspect-widget');
      await inspector.waitFor();
      const text = await inspector.innerText();
      check(
        /constant\.numeric\.integer\.ttl\.tcpdump/.test(text) && /source\.tcpdump/.test(text),
        `token inspector on "63" does not show the grammar's TTL scope:\n${text}`,
      );
      await page.keyboard.press('Escape');
      // The inspector is an overlay on the editor: it must be gone before the hover step moves the mouse there.
      if (await inspector.isVisible()) await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
      await inspector.waitFor({ state: 'hidden' });
      log(
        `     line 2: ${classes.size} token colours; "63" ${ttl.color} bold, "R" ${rst.color} bold; scope constant.numeric.integer.ttl.tcpdump`,
      );
    });

    await step('hover on the RST line tells the hop-count story', async () => {
      const line = await editorLine(page, 2);
      const target = line.locator('span > span', { hasText: /^63$/ }).first();
      await page.mouse.move(5, 5);
      const at = await target.boundingBox();
      await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2, { steps: 4 });
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'initial 64' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      // The marker part shows first; the hover provider's part (from the language server) joins it.
      // "TTL 63 → initial 64 → 1 hop" comes from the hover provider; the diagnostic's wording differs.
      let text;
      const until = Date.now() + 15_000;
      while (!/TTL 63 → initial 64 → 1 hop\b/.test((text = await hover.innerText())) && Date.now() < until)
        await page.waitForTimeout(200);
      check(
        /TTL 63 → initial 64 → 1 hop\b/.test(text),
        `hover lacks "TTL 63 → initial 64 → 1 hop" after 15 s:\n${text}`,
      );
      check(/2 hops before 192\.168\.40\.129/.test(text), `hover lacks "2 hops before 192.168.40.129":\n${text}`);
      // For the picture, scroll the hover (the mouse may move into a hover; it stays) until the
      // language server's hop-count story, shown under the diagnostic, reaches its top.
      const hoverBox = await hover.boundingBox();
      await page.mouse.move(hoverBox.x + hoverBox.width / 2, hoverBox.y + hoverBox.height / 2, { steps: 4 });
      const story = hover.locator('.hover-contents', { hasText: 'TTL 63 → initial 64' }).last();
      let scrolled = 0;
      while (scrolled < 80 && (await story.boundingBox()).y > hoverBox.y + 4) {
        await page.mouse.wheel(0, 10);
        await page.waitForTimeout(60);
        scrolled++;
      }
      await page.waitForTimeout(300);
      check(await hover.isVisible(), 'the hover closed when the mouse moved into it');
      const editorBox = await page.locator('.editor-group-container.active .monaco-editor').first().boundingBox();
      const box = union(await hover.boundingBox(), await (await editorLine(page, 2)).boundingBox(), {
        ...editorBox,
        width: 1,
        height: 1,
        y: hoverBox.y,
      });
      await screenshot('hover', pad({ ...box, width: Math.min(box.width, 1000) }, 6, viewport), { readme: true });
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
    });

    // Issue 15: the devices, not only the packets. The seed is the active editor here.
    await step('status bar: the seed has 1 forging device and 3 RSTs', async () => {
      const item = page.locator('.statusbar-item', { hasText: /forging device/ }).first();
      await item.waitFor({ state: 'visible', timeout: 30_000 });
      let text;
      const until = Date.now() + 15_000;
      while (!/1 forging device · 3 RSTs/.test((text = (await item.innerText()).trim())) && Date.now() < until)
        await page.waitForTimeout(200);
      check(/1 forging device · 3 RSTs/.test(text), `status bar item shows "${text}"`);
      log(`     status bar: "${text}"`);
    });

    await step(
      'Suspected Devices view: device #1 → 192.168.40.129 → the connection → its RSTs; a click reveals line 4',
      async () => {
        await runCommand(page, 'Focus on Suspected Devices View');
        const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Suspected Devices/i }) });
        const row = (text) => pane.locator('.monaco-list-row', { hasText: text }).first();
        await row('Device #1').waitFor({ timeout: 20_000 });
        const device = await row('Device #1').evaluate((el) =>
          [...el.querySelectorAll('.label-name, .label-description')].map((e) => e.textContent.trim()).join(' — '),
        );
        check(/1 hop from the capture point, 2 hops before 192\.168\.40\.129/.test(device), `device row: "${device}"`);
        await row('192.168.40.129').waitFor();
        const connection = row('192.168.31.128:49169 → 192.168.40.129:22');
        await connection.waitFor();
        check(/3 RSTs/.test(await connection.innerText()), 'the connection row does not count 3 RSTs');
        // A click on the row reveals the connection's first RST; its twistie expands it.
        await connection.locator('.monaco-tl-twistie').click();
        const rst4 = pane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^line 4$/ }) });
        await rst4.waitFor({ timeout: 10_000 });
        const rstRows = (
          await pane.locator('.monaco-list-row .label-name').evaluateAll((els) => els.map((e) => e.textContent.trim()))
        ).filter((t) => /^line \d+$/.test(t));
        sameList(rstRows, ['line 2', 'line 4', 'line 6'], 'Suspected Devices: RST rows');
        const tree = await pane.boundingBox();
        await screenshot('devices-view', pad(tree, 2, viewport));
        await rst4.click();
        await page.waitForFunction(
          () =>
            /^Ln 4, Col \d+/.test(document.querySelector('#status\\.editor\\.selection')?.textContent?.trim() ?? ''),
          null,
          { timeout: 10_000 },
        );
        log(`     ${device}; RSTs ${rstRows.join(', ')}; clicking "line 4" selected Ln 4`);
        await runCommand(page, 'View: Close Primary Side Bar');
      },
    );

    await step(
      'Ctrl+. on a forged RST: "Copy report for device #1" copies the report and opens it as Markdown',
      async () => {
        const line = await editorLine(page, 2);
        await line.locator('span > span', { hasText: /^63$/ }).first().click();
        await page.keyboard.press('Control+.');
        const menu = page.locator('.action-widget');
        await menu.waitFor({ state: 'visible', timeout: 15_000 });
        const titles = await menu
          .locator('.monaco-list-row')
          .evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
        for (const t of ['Copy report for device #1', 'Show in hop map', "Show 192.168.40.129's own packets"])
          check(
            titles.some((x) => x.includes(t)),
            `the quick fix menu lacks "${t}": ${JSON.stringify(titles)}`,
          );
        await screenshot('code-actions', pad(await menu.boundingBox(), 4, viewport));
        // The menu focuses its first row (a click races its hover highlight): check it, then Enter.
        const focused = await menu.locator('.monaco-list-row.focused').getAttribute('aria-label');
        check(focused === 'Copy report for device #1', `the quick fix menu focuses "${focused}" first`);
        await page.keyboard.press('Enter');
        const open = page.locator('.notifications-toasts .monaco-button', { hasText: 'Open as Markdown' }).first();
        await open.waitFor({ state: 'visible', timeout: 15_000 });
        const clipboard = await page.evaluate(() => navigator.clipboard.readText()).catch((e) => `(unreadable: ${e})`);
        check(
          /^# tcpdump Lens report: `seed-firewall-rst\.pcap\.txt`/.test(clipboard) &&
            clipboard.includes('Is there a firewall or load balancer 2 hops before `192.168.40.129`'),
          `the clipboard does not hold the report: ${clipboard.slice(0, 200)}`,
        );
        await open.click();
        // An untitled document is named after its first line (the report's heading).
        await page.locator('.tab.active', { hasText: 'tcpdump Lens report' }).waitFor({ timeout: 15_000 });
        const mode = await languageMode(page);
        check(mode === 'Markdown', `the report opened as "${mode}", not Markdown`);
        // Monaco renders spaces as no-break spaces.
        const shown = (
          await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()
        ).replace(/\u00a0/g, ' ');
        check(
          /tcpdump Lens report/.test(shown) && /Device #1: 1 hop from the capture point, 2 hops before/.test(shown),
          `the untitled document does not show the report:\n${shown.slice(0, 400)}`,
        );
        log(`     clipboard: ${clipboard.length} characters; opened as an untitled Markdown document`);
        await runCommand(page, 'View: Revert and Close Editor');
        await page.waitForSelector(`.tab.active[aria-label^="${SEED.name}"]`, { timeout: 10_000 });
      },
    );

    await step('Show Hop Map draws the seed', async () => {
      await runCommand(page, 'tcpdump Lens: Show Hop Map');
      const frame = await hopMapFrame(page);
      // Room for the picture: no panel, the map's editor group active and maximised.
      const mapGroup = page.locator('.editor-group-container', { has: page.locator('.tab[aria-label^="Hop Map"]') });
      await runCommand(page, 'View: Hide Panel');
      await mapGroup.locator('.tab[aria-label^="Hop Map"]').click();
      await page.waitForSelector('.editor-group-container.active .tab.active[aria-label^="Hop Map"]');
      await runCommand(page, 'View: Toggle Maximize Editor Group');
      await page.waitForTimeout(500);
      const svg = frame.locator('svg.hop-map');
      // The claimed source, the RST marker, and one link per forged RST line (data-line is 0-based).
      const sources = await frame
        .locator('circle.source.target')
        .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      check(
        sources.some((s) => /192\.168\.40\.129/.test(s)),
        `no source marker for 192.168.40.129: ${JSON.stringify(sources)}`,
      );
      const resets = await frame
        .locator('path.reset.target')
        .evaluateAll((els) =>
          els.map((e) => ({ line: Number(e.getAttribute('data-line')), label: e.getAttribute('aria-label') })),
        );
      check(
        resets.length === 1 && /192\.168\.40\.129/.test(resets[0].label),
        `expected one RST sender marker claiming 192.168.40.129: ${JSON.stringify(resets)}`,
      );
      const links = await frame
        .locator('tspan.line-link')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-line')) + 1));
      sameList(links, [2, 4, 6], 'hop map: RST line links');
      const svgText = await svg.textContent();
      check(svgText.includes('192.168.40.129'), 'hop map does not name 192.168.40.129');
      log(`     sources: ${sources.length}; RST marker at line ${resets[0].line + 1}: ${resets[0].label}`);

      // The picture: the webview's top-left corner down to the drawing's bottom-right (frame coordinates).
      // The webview overlays the hop map's editor group (active, maximised): that group's editor area.
      const webview = await mapGroup.locator('.editor-container').first().boundingBox();
      check(webview && webview.width > 0, `no visible hop map editor area: ${JSON.stringify(webview)}`);
      const drawn = await svg.evaluate((el) => el.getBoundingClientRect().toJSON());
      await screenshot(
        'hop-map',
        {
          x: webview.x,
          y: webview.y,
          width: Math.min(webview.width, drawn.right + 16),
          height: Math.min(webview.height, drawn.bottom + 12),
        },
        { readme: true },
      );

      await runCommand(page, 'View: Toggle Maximize Editor Group');
      // Clicking the link for line 6 reveals that line in the capture's editor.
      await frame.locator('tspan.line-link[data-line="5"]').click();
      await page
        .waitForFunction(
          () =>
            /^Ln 6, Col \d+/.test(document.querySelector('#status\\.editor\\.selection')?.textContent?.trim() ?? ''),
          null,
          { timeout: 10_000 },
        )
        .catch(async () => {
          throw new Error(
            `clicking line 6 in the hop map did not select it (status bar: "${await page
              .locator('#status\\.editor\\.selection')
              .innerText()
              .catch(() => '?')}")`,
          );
        });
      log('     clicking the line-6 link selected Ln 6 in the editor');
    });

    const pcapEditor = pcapEditorContribution();
    if (!pcapEditor) {
      log(
        `skip open ${PCAP.name}: package.json contributes no custom editor for *.pcap (client/src/pcap registers one, the manifest must declare it)`,
      );
    } else {
      await step(`open ${PCAP.name}: decoded to tcpdump text, warned like the lab's own -nv text`, async () => {
        const fromText = Object.values(
          JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'lab', 'expected.json'), 'utf8')).files,
        ).find((e) => e.pcap === PCAP.name && e.tcpdumpFlags === '-nv');
        check(fromText, `expected.json has no -nv entry for ${PCAP.name}`);
        const pcapFindings = cliFindings(PCAP.fixture);
        const shown = `${PCAP.name}.tcpdump`; // client/src/pcap: the decoded text's path is the capture's + ".tcpdump"
        await openFile(page, PCAP.name, shown);
        const mode = await languageMode(page);
        check(mode === 'tcpdump', `${shown} opened as "${mode}", not tcpdump`);
        expectedTotal += pcapFindings.length;
        await showProblems(page);
        let counts;
        const until = Date.now() + 30_000;
        while ((counts = await problemCounts(page)).warnings + counts.infos < expectedTotal && Date.now() < until)
          await page.waitForTimeout(250);
        await page.waitForTimeout(500);
        const rows = rowsOf(await problemRows(page), shown);
        sameList(
          rows.filter((r) => r.startsWith('warning ')),
          fromText.forgedRstLines.map((l) => `warning ${l}:1 ttl-mismatch`),
          `${shown}: warnings vs expected.json forgedRstLines of the lab's -nv text`,
        );
        sameList(rows, pcapFindings.map(asRow), `${shown}: Problems panel vs dist/cli.js ${PCAP.name}`);
        log(`     ${shown} [${rows.join(', ')}]`);
      });
    }

    await step(
      `open ${PLAIN_TXT.name} (a .txt, Plain Text by VS Code's own association): adopted as tcpdump, warned like the seed`,
      async () => {
        await openFile(page, PLAIN_TXT.name);
        const until = Date.now() + 15_000;
        let mode;
        while ((mode = await languageMode(page)) !== 'tcpdump' && Date.now() < until) await page.waitForTimeout(250);
        check(mode === 'tcpdump', `${PLAIN_TXT.name} stayed "${mode}"`);
        expectedTotal += seedFindings.length;
        await showProblems(page);
        // The status bar counts everything; the table is virtualised (notes sort below the fold by
        // now), so the file's warning rows are compared row by row and its note through the total.
        const until2 = Date.now() + 30_000;
        let counts;
        while ((counts = await problemCounts(page)).warnings + counts.infos < expectedTotal && Date.now() < until2)
          await page.waitForTimeout(250);
        check(
          counts.warnings + counts.infos === expectedTotal,
          `status bar shows ${counts.label}, expected ${expectedTotal} problems`,
        );
        const warningsOf = (list) => list.filter((r) => r.startsWith('warning '));
        let rows;
        while (
          warningsOf((rows = rowsOf(await problemRows(page), PLAIN_TXT.name))).length <
            warningsOf(seedFindings.map(asRow)).length &&
          Date.now() < until2
        )
          await page.waitForTimeout(250);
        sameList(
          warningsOf(rows),
          warningsOf(seedFindings.map(asRow)),
          `${PLAIN_TXT.name}: Problems panel warnings vs the seed's`,
        );
        log(`     ${PLAIN_TXT.name} [${rows.join(', ')}]`);
      },
    );

    await step('tcpdumpLens.enable = false (Settings UI) removes the warnings; true brings them back', async () => {
      const setEnable = async (value) => {
        await runCommand(page, 'Preferences: Open Settings (UI)');
        await page.waitForSelector('.settings-editor .settings-header .monaco-editor', { state: 'visible' });
        await page.keyboard.type('tcpdumpLens.enable');
        const box = page
          .locator('.settings-editor .setting-item-bool', { hasText: /Tcpdump Lens: Enable/ })
          .first()
          .locator('.setting-value-checkbox');
        await box.waitFor({ state: 'visible', timeout: 15_000 });
        if ((await box.getAttribute('aria-checked')) !== String(value)) await box.click();
        await page.waitForFunction(
          ([el, v]) => el.getAttribute('aria-checked') === v,
          [await box.elementHandle(), String(value)],
        );
        await page.keyboard.press('Control+W'); // close the Settings editor
      };
      const waitForTotal = async (ok, what) => {
        let counts;
        const until = Date.now() + 30_000;
        while (!ok((counts = await problemCounts(page))) && Date.now() < until) await page.waitForTimeout(250);
        check(ok(counts), `${what}: the status bar shows ${counts.label || 'no problems'} after 30 s`);
      };
      await setEnable(false);
      await waitForTotal((c) => c.errors + c.warnings + c.infos === 0, 'tcpdumpLens.enable = false');
      await showProblems(page);
      // The status bar's count can reach 0 a moment before the panel's tree drops its rows.
      let rows = await problemRows(page);
      for (const until = Date.now() + 10_000; rows.length > 0 && Date.now() < until; rows = await problemRows(page))
        await page.waitForTimeout(250);
      check(rows.length === 0, `Problems panel still lists ${rows.length} rows with tcpdumpLens.enable = false`);
      const saved = JSON.parse(fs.readFileSync(profile.settingsFile, 'utf8'));
      check(
        saved['tcpdumpLens.enable'] === false,
        `the Settings UI did not write tcpdumpLens.enable: false to ${profile.settingsFile}`,
      );
      await setEnable(true);
      await waitForTotal((c) => c.warnings + c.infos === expectedTotal, 'tcpdumpLens.enable = true again');
    });
    await step(
      `hop map of ${MANY.servers} RST senders: no two labels overlap; the filter box narrows the sources`,
      async () => {
        await openFile(page, MANY.name);
        // The open hop map follows the active tcpdump editor.
        const frame = await hopMapFrame(page);
        const svg = frame.locator('svg.hop-map');
        await frame.waitForFunction(
          () => /device #6 · 12 RSTs/.test(document.querySelector('svg.hop-map')?.textContent ?? ''),
          null,
          { timeout: 30_000 },
        );
        const mapGroup = page.locator('.editor-group-container', { has: page.locator('.tab[aria-label^="Hop Map"]') });
        await mapGroup.locator('.tab[aria-label^="Hop Map"]').click();
        await runCommand(page, 'View: Toggle Maximize Editor Group');
        await page.waitForTimeout(500);
        /** Every SVG text element's box as the browser lays it out (getBBox), and each pair that intersects. */
        const overlaps = () =>
          svg.evaluate((el) => {
            const boxes = [...el.querySelectorAll('text')].map((t) => {
              const b = t.getBBox();
              const shown = [...t.childNodes]
                .filter((n) => n.nodeName !== 'title')
                .map((n) => n.textContent)
                .join('');
              return { x: b.x, y: b.y, w: b.width, h: b.height, text: shown };
            });
            const pairs = [];
            for (let i = 0; i < boxes.length; i++)
              for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i];
                const b = boxes[j];
                if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
                  pairs.push(`"${a.text}" ${JSON.stringify(a)} × "${b.text}" ${JSON.stringify(b)}`);
              }
            return { count: boxes.length, pairs };
          });
        const drawnSources = () =>
          frame
            .locator('circle.source.target')
            .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('aria-label').split(':')[0]))]);
        const status = () => frame.locator('#status').innerText();

        const all = await overlaps();
        check(all.count > 100, `only ${all.count} text elements in the 40-sender hop map`);
        check(all.pairs.length === 0, `overlapping labels:\n  ${all.pairs.slice(0, 10).join('\n  ')}`);
        const devices = await frame.locator('rect.device.target').count();
        check(devices === 6, `expected 6 device markers on the ruler, found ${devices}`);
        const before = await drawnSources();
        const shownStatus = await status();
        check(
          /^Showing 50 of 161 sources/.test(shownStatus) && before.length === 50,
          `before filtering: ${before.length} sources drawn, status "${shownStatus}"`,
        );
        check(await frame.locator('#more').isVisible(), 'no "show more" button while sources are not drawn');
        log(`     ${all.count} text elements, none overlapping; ${devices} devices; status: ${shownStatus}`);
        const drawn = await svg.evaluate((el) => el.getBoundingClientRect().toJSON());
        const webview = await mapGroup.locator('.editor-container').first().boundingBox();
        await screenshot('hop-map-40-senders', {
          x: webview.x,
          y: webview.y,
          width: Math.min(webview.width, drawn.right + 16),
          height: Math.min(webview.height, drawn.bottom + 12),
        });

        // Typing a filter redraws only the matching sources (172.16.0.10 … 172.16.0.19).
        await frame.locator('#filter').fill('172.16.0.1');
        await frame.waitForFunction(() => /match/.test(document.getElementById('status')?.textContent ?? ''), null, {
          timeout: 15_000,
        });
        const after = await drawnSources();
        check(
          after.length === 10 && after.length < before.length && after.every((a) => a.includes('172.16.0.1')),
          `after typing "172.16.0.1": ${JSON.stringify(after)}`,
        );
        const filtered = await overlaps();
        check(filtered.pairs.length === 0, `overlapping labels after filtering:\n  ${filtered.pairs.join('\n  ')}`);
        log(`     filter "172.16.0.1": ${after.length} of ${before.length} sources drawn; status: ${await status()}`);

        // Cleared, then one more page: 100 sources.
        await frame.locator('#filter').fill('');
        await frame.waitForFunction(() =>
          /^Showing 50 of 161/.test(document.getElementById('status')?.textContent ?? ''),
        );
        await frame.locator('#more').click();
        await frame.waitForFunction(() =>
          /^Showing 100 of 161/.test(document.getElementById('status')?.textContent ?? ''),
        );
        const paged = await drawnSources();
        check(paged.length === 100, `after "show more": ${paged.length} sources drawn`);
        check((await overlaps()).pairs.length === 0, 'overlapping labels after "show more"');
        log(`     show more: ${paged.length} sources drawn`);
        await runCommand(page, 'View: Toggle Maximize Editor Group');
      },
    );
    failed = false;
  } finally {
    if (failed) {
      for (const f of [profile.log, path.join(tmp, 'chromium.log')]) {
        if (fs.existsSync(f)) fs.copyFileSync(f, path.join(ARTIFACTS, path.basename(f)));
      }
      log(`logs copied to ${path.relative(REPO, ARTIFACTS)}/ (code-server.log, chromium.log)`);
    }
    await stopAllOwned();
    if (process.env.E2E_KEEP) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => {
    log(`PASS: all steps (total ${seconds(Date.now() - started)})`);
    process.exit(0);
  },
  async (error) => {
    await stopAllOwned();
    console.error(`\n${error instanceof StepFailure ? error.message : (error?.stack ?? error)}`);
    if (error instanceof StepFailure && error.cause?.stack)
      console.error(
        `\n${error.cause.stack
          .split('\n')
          .filter((l) => /^\s+at /.test(l))
          .slice(0, 4)
          .join('\n')}`,
      );
    log(`FAIL (total ${seconds(Date.now() - started)})`);
    process.exit(1);
  },
);
