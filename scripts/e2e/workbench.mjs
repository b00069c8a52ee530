// What the suite reads from and does to the VS Code workbench page, through the DOM a user sees:
// quick open, the command palette, the Problems panel (table view), the editor's lines and hover,
// and the hop map webview's frame.

/** Opens a workspace file through Quick Open (Ctrl+P), as a user would; `tab` is the editor title it ends in. */
export async function openFile(page, name, tab = name) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(name);
  // Quick Open searches asynchronously: Enter before the row exists would open nothing.
  // Click the row itself: Enter takes the highlighted row, which may be a recently opened look-alike.
  await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${name}"]`).first().click({ timeout: 20_000 });
  await page.waitForSelector(`.tab.active[aria-label^="${tab}"]`, { timeout: 30_000 });
  await page.waitForSelector('.editor-group-container.active .monaco-editor .view-lines', { timeout: 20_000 });
}

/** Runs a command by its palette title (F1, type, Enter on the exact row). */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
}

/** The language shown in the status bar for the active editor ("tcpdump", "Plain Text"). */
export async function languageMode(page) {
  return (await page.locator('#status\\.editor\\.mode').innerText()).trim();
}

/** The status bar's problem counts, from its accessible label ("Warnings: 5, Infos: 2"). */
export async function problemCounts(page) {
  const label = (await page.locator('#status\\.problems').getAttribute('aria-label')) ?? '';
  const count = (word) => Number(new RegExp(`${word}: (\\d+)`).exec(label)?.[1] ?? 0);
  return { errors: count('Errors'), warnings: count('Warnings'), infos: count('Infos'), label };
}

export async function showProblems(page) {
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel', { state: 'visible' });
}

/**
 * Every row of the Problems panel in table view (settings: problems.defaultViewMode = table):
 * severity, source, code, message, file and 1-based line/column, as the panel renders them.
 */
export async function problemRows(page) {
  return page.locator('.markers-panel .monaco-table .monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      const icon = row.querySelector('.marker-icon');
      const severity = ['error', 'warning', 'info'].find((s) => icon?.classList.contains(s)) ?? 'unknown';
      const cells = [...row.querySelectorAll('.monaco-table-td')].map((td) => td.innerText.trim());
      const where = /^(.*?)\s*\[Ln (\d+), Col (\d+)\]$/.exec(cells[3] ?? '');
      return {
        severity,
        source: row.querySelector('.source-label')?.textContent ?? '',
        code:
          row.querySelector('.code-label .code-label')?.textContent ??
          row.querySelector('span.code-label')?.textContent ??
          '',
        message: row.querySelector('.message')?.getAttribute('title') ?? cells[2] ?? '',
        file: where?.[1] ?? cells[3] ?? '',
        line: where ? Number(where[2]) : NaN,
        column: where ? Number(where[3]) : NaN,
      };
    }),
  );
}

/**
 * For each Problems row of `file` whose message holds `phrase`: whether the reader sees all of it
 * (its last character lies inside the message cell's visible box, not cut off by the column's width
 * or an ellipsis).
 */
export async function problemPhraseVisible(page, file, phrase) {
  return page.locator('.markers-panel .monaco-table .monaco-list-row').evaluateAll(
    (rows, [file, phrase]) =>
      rows
        .filter((row) => (row.innerText ?? '').includes(file))
        .map((row) => {
          const message = row.querySelector('.message') ?? row;
          const walker = document.createTreeWalker(message, NodeFilter.SHOW_TEXT);
          let text = '';
          const nodes = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            nodes.push([n, text.length]);
            text += n.textContent;
          }
          const at = text.indexOf(phrase);
          if (at < 0) return undefined;
          const end = at + phrase.length;
          const [node, offset] = nodes.filter(([, o]) => o < end).pop();
          const range = document.createRange();
          range.setStart(node, end - offset - 1);
          range.setEnd(node, end - offset);
          const last = range.getBoundingClientRect();
          let box = message.getBoundingClientRect();
          for (let el = message.parentElement; el && el !== row; el = el.parentElement) {
            const r = el.getBoundingClientRect();
            box = { left: Math.max(box.left, r.left), right: Math.min(box.right, r.right) };
          }
          return { visible: last.right <= box.right + 0.5 && last.left >= box.left - 0.5, text };
        })
        .filter((x) => x !== undefined),
    [file, phrase],
  );
}

/**
 * The active editor's rendered line `lineNumber` (1-based), found through the line-number gutter.
 * Valid until the layout shifts (a code lens arriving moves every line down): query it right before use.
 */
export async function editorLine(page, lineNumber) {
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  const top = await editor
    .locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${lineNumber}$`) })
    .first()
    .evaluate((el) => el.parentElement.style.top);
  return editor
    .locator(`.view-lines .view-line[style*="top:${top};"], .view-lines .view-line[style*="top: ${top};"]`)
    .first();
}

/** The tokens of a rendered line: text, Monaco's `mtk*` classes and the computed colour. */
export async function lineTokens(line) {
  return line.evaluate((el) =>
    [...el.querySelectorAll(':scope > span > span')].map((s) => ({
      text: s.textContent,
      classes: [...s.classList].filter((c) => /^mtk/.test(c)),
      color: getComputedStyle(s).color,
      bold: getComputedStyle(s).fontWeight >= 600,
    })),
  );
}

/** The hop map's webview frame (the inner frame VS Code loads the extension's HTML into). */
export async function hopMapFrame(page, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (
        await frame
          .locator('svg.hop-map')
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    if (Date.now() > until) throw new Error(`no webview frame with svg.hop-map within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250);
  }
}
