import { randomBytes } from 'node:crypto';
import { displayText } from '../../../server/src/core/displayText';
import { HOP_MAP_CSS, escapeMarkup } from './render';

/*
 * The hop map's webview page. Strict CSP: nothing remote, no inline handlers or style attributes;
 * only our own <style> and <script>, admitted by a per-page nonce. The script swaps in new markup,
 * turns clicks on markers into "reveal line" messages, and sends what is typed into the filter box
 * and clicks on "show more" to the extension, which draws the map again (it alone renders markup).
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
  /** Placeholder (and accessible name) of the filter box. */
  filterPlaceholder?: string;
}

/** Messages the page sends to the extension. */
export type HopMapPageMessage =
  { type: 'ready' } | { type: 'reveal'; line: number } | { type: 'filter'; text: string } | { type: 'more' };

/** Longest filter the extension takes from the page. */
export const MAX_FILTER_LENGTH = 200;

/** The filter text of a page message, or undefined when the message is not a well-formed filter. */
export function filterText(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const { type, text } = m as { type?: unknown; text?: unknown };
  return type === 'filter' && typeof text === 'string' ? text.slice(0, MAX_FILTER_LENGTH) : undefined;
}

/** Messages the extension sends to the page. */
export interface HopMapShowMessage {
  type: 'show';
  title: string;
  markup: string;
  /** The status line: what is drawn of what there is (plain text). */
  status: string;
  /** The "show more" button's text; absent when everything that matches is drawn. */
  more?: string;
  /** The filter the map was drawn with (the box shows it again after the page reloads). */
  filter: string;
}

/**
 * The message that shows a map: the title, status and button text reach the page as textContent,
 * so they are neutralised here.
 */
export function hopMapShowMessage(
  title: string,
  markup: string,
  status = '',
  more?: string,
  filter = '',
): HopMapShowMessage {
  const m: HopMapShowMessage = {
    type: 'show',
    title: displayText(title),
    markup,
    status: displayText(status),
    filter: filter.slice(0, MAX_FILTER_LENGTH),
  };
  if (more !== undefined) m.more = displayText(more);
  return m;
}

const PAGE_CSS = `
body { margin: 0; padding: 12px 16px; color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px); }
h1 { font-size: 1.1em; font-weight: 600; margin: 0 0 8px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0 0 8px; }
.toolbar input { min-width: 16em; padding: 3px 6px; color: var(--vscode-input-foreground);
  background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); }
.toolbar input:focus { outline: 1px solid var(--vscode-focusBorder); }
.toolbar button { padding: 3px 10px; color: var(--vscode-button-foreground); background: var(--vscode-button-background);
  border: none; cursor: pointer; }
.toolbar button:hover { background: var(--vscode-button-hoverBackground); }
#status { color: var(--vscode-descriptionForeground); }
#map { overflow: auto; }
.notice { color: var(--vscode-descriptionForeground); }
`;

// Runs in the webview. Text only ever reaches the page as markup the renderer escaped or via textContent.
const PAGE_SCRIPT = `
const vscode = acquireVsCodeApi();
const title = document.getElementById('title');
const map = document.getElementById('map');
const filter = document.getElementById('filter');
const status = document.getElementById('status');
const more = document.getElementById('more');
window.addEventListener('message', (event) => {
  const m = event.data;
  if (!m || m.type !== 'show' || typeof m.markup !== 'string') return;
  // Another document's map starts at the top left; a redraw of the same one keeps its scroll.
  if (title.textContent !== String(m.title)) map.scrollTo(0, 0);
  title.textContent = String(m.title);
  status.textContent = typeof m.status === 'string' ? m.status : '';
  more.hidden = typeof m.more !== 'string';
  more.textContent = typeof m.more === 'string' ? m.more : '';
  if (typeof m.filter === 'string' && document.activeElement !== filter) filter.value = m.filter;
  map.innerHTML = m.markup;
});
let typing;
filter.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => vscode.postMessage({ type: 'filter', text: filter.value }), 150);
});
more.addEventListener('click', () => { vscode.postMessage({ type: 'more' }); });
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
  const placeholder = escapeMarkup(page.filterPlaceholder ?? 'Filter sources by address');
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
<div class="toolbar">
<input id="filter" type="search" spellcheck="false" autocomplete="off" placeholder="${placeholder}" aria-label="${placeholder}">
<span id="status" role="status"></span>
<button id="more" type="button" hidden></button>
</div>
<div id="map">${page.markup}</div>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
