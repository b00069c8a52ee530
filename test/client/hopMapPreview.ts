/*
 * Renders the hop map of a capture to a standalone HTML page with sample Dark+ theme colours, for
 * a look in a real browser (how images/hop-map-preview.png was made):
 *   npx tsx test/client/hopMapPreview.ts test/fixtures/seed-firewall-rst.txt > /tmp/hop-map.html
 *   chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
 *     --window-size=900,420 --screenshot=/tmp/hop-map.png file:///tmp/hop-map.html
 * The page keeps the webview's CSP; only the theme variables VS Code would inject are added.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { buildHopMap } from '../../server/src/core/hopMap';
import { buildHopMapHtml, newNonce } from '../../client/src/hopMap/html';
import { ENGLISH_LABELS, renderHopMapSvg } from '../../client/src/hopMap/render';

const DARK_PLUS: Record<string, string> = {
  '--vscode-font-family': '-apple-system, "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "DejaVu Sans Mono", monospace',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-errorForeground': '#f85149',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-textLink-activeForeground': '#4daafc',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-green': '#89d185',
};

const file = process.argv[2];
if (!file) throw new Error('usage: hopMapPreview.ts CAPTURE.txt > page.html');
const map = buildHopMap(analyze(fs.readFileSync(file, 'utf8')));
const nonce = newNonce();
const page = buildHopMapHtml({
  cspSource: 'vscode-webview://preview',
  nonce,
  title: ENGLISH_LABELS.heading(path.basename(file)),
  markup: renderHopMapSvg(map, ENGLISH_LABELS),
});
const theme = Object.entries(DARK_PLUS)
  .map(([k, v]) => `${k}: ${v};`)
  .join(' ');
process.stdout.write(page.replace('</head>', `<style nonce="${nonce}">:root { ${theme} }</style>\n</head>`));
