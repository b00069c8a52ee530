import { randomBytes } from 'node:crypto';
import { displayText } from '../../../server/src/core/displayText';
import { HOP_MAP_CSS, escapeMarkup } from './render';

/*
 * The hop map's webview page. Strict CSP: nothing remote, no inline handlers or style attributes;
 * only our own <style> and <script>, admitted by a per-page nonce. The script's one job is to
 * swap in new markup and turn clicks on markers into "reveal line" messages.
 */

/** A fresh nonce: 128 random bits, base64 (only characters a CSP source expression allows). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface HopMapPage {
  /** `webview.cspSource`: the origin VS Code serves the webview's own resources from. */
  cspSource: string;
  nonce: string;
  /** Plain text for the heading (escaped here). */
  title: string;
  /** Markup from renderHopMapSvg/renderHopMapNotice (already escaped there). */
  markup: string;
  /** Language of the page, e.g. "en" or "ja". */
  lang?: string;
}

/** Messages the page sends to the extension. */
export type HopMapPageMessage = { type: 'ready' } | { type: 'reveal'; line: number };
/** Messages the extension sends to the page. */
export interface HopMapShowMessage {
  type: 'show';
  title: string;
  markup: string;
}

/** The message that shows a map: the title reaches the page as textContent, so it is neutralised here. */
export function hopMapShowMessage(title: string, markup: string): HopMapShowMessage {
  return { type: 'show', title: displayText(title), markup };
}

const PAGE_CSS = `
body { margin: 0; padding: 12px 16px; color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
h1 { font-size: 1.1em; font-weight: 600; margin: 0 0 8px; }
#map { overflow: auto; }
.notice { color: var(--vscode-descriptionForeground); }
`;

// Runs in the webview. Text only ever reaches the page as markup the renderer escaped or via textContent.
const PAGE_SCRIPT = `
const vscode = acquireVsCodeApi();
const title = document.getElementById('title');
const map = document.getElementById('map');
window.addEventListener('message', (event) => {
  const m = event.data;
  if (!m || m.type !== 'show' || typeof m.markup !== 'string') return;
  title.textContent = String(m.title);
  map.innerHTML = m.markup;
});
function reveal(target) {
  const el = target instanceof Element ? target.closest('[data-line]') : null;
  if (!el) return false;
  const line = Number(el.getAttribute('data-line'));
  if (!Number.isInteger(line) || line < 0) return false;
  vscode.postMessage({ type: 'reveal', line });
  return true;
}
map.addEventListener('click', (event) => { reveal(event.target); });
map.addEventListener('keydown', (event) => {
  if ((event.key === 'Enter' || event.key === ' ') && reveal(event.target)) event.preventDefault();
});
vscode.postMessage({ type: 'ready' });
`;

export function buildHopMapHtml(page: HopMapPage): string {
  const nonce = escapeMarkup(page.nonce);
  const csp = [
    "default-src 'none'",
    `style-src ${page.cspSource} 'nonce-${page.nonce}'`,
    `script-src 'nonce-${page.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escapeMarkup(page.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeMarkup(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${nonce}">${PAGE_CSS}${HOP_MAP_CSS}</style>
</head>
<body>
<h1 id="title">${escapeMarkup(page.title)}</h1>
<div id="map">${page.markup}</div>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
