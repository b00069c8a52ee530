import { displayText } from '../../../server/src/core/displayText';
import type { HopMap, HopMapDistance, HopMapResetGroup, HopMapSource } from '../../../server/src/core/hopMap';

/*
 * Draws a hop map as SVG markup, like the article's figure: the capture point on the left, a ruler
 * of hops going right, every sender placed at its distance, and forged RSTs where their TTL says
 * their real sender sits. Pure (no vscode): the panel posts the result into its webview.
 *
 * Capture text is untrusted, and addresses come from it: every piece of text and every attribute
 * value goes through `escapeMarkup` (markup characters and control/bidi characters). No inline style attributes (the webview's CSP forbids them):
 * looks come from classes styled by HOP_MAP_CSS with the theme's variables.
 */

/** Every word the picture says, so it can speak the editor's language. Plain text: it is escaped here. */
export interface HopMapLabels {
  /** Panel tab title. */
  panelTitle: string;
  /** Page heading for a document (its file name). */
  heading(documentName: string): string;
  /** When the server has no map for the document (analysis switched off, or not open there). */
  unavailable: string;
  failed(reason: string): string;
  capturePoint: string;
  rulerCaption: string;
  hops(n: number): string;
  /** Text above a source marker: how many packets, which TTLs. */
  distanceBadge(d: HopMapDistance): string;
  sourceTooltip(address: string, d: HopMapDistance): string;
  resetGutter: string;
  /** The RST lane's headline before its line numbers, e.g. "RST claiming 192.168.40.129 — lines ". */
  resetClaiming(claimed: string, lineCount: number): string;
  moreLines(n: number): string;
  resetDetail(g: HopMapResetGroup): string;
  resetTooltip(g: HopMapResetGroup): string;
  /** Over the ruler, at the distance forged RSTs come from. */
  resetSender: string;
  lineTooltip(line: number): string;
  moreLanes(sources: number, resets: number): string;
  noHops(packetCount: number): string;
  ariaLabel(map: HopMap): string;
}

const packetsEn = (n: number): string => `${n} ${n === 1 ? 'packet' : 'packets'}`;
const hopsEn = (n: number): string => `${n} ${n === 1 ? 'hop' : 'hops'}`;
const ttlList = (ttls: readonly number[]): string => ttls.join('/');

export const ENGLISH_LABELS: HopMapLabels = {
  panelTitle: 'Hop Map',
  heading: (name) => `Hop map — ${name}`,
  unavailable:
    'No hop map for this document: tcpdump Lens is switched off for it (tcpdumpLens.enable), or the language server has not read it yet.',
  failed: (reason) => `The language server could not draw the hop map: ${reason}`,
  capturePoint: 'capture point',
  rulerCaption:
    'Hops from the capture point = initial TTL (64, 128, 255 …) − the TTL seen here. Click a marker to show its line.',
  hops: hopsEn,
  distanceBadge: (d) => `${d.packets} × TTL ${ttlList(d.ttls)}`,
  sourceTooltip: (a, d) =>
    `${a}: ${packetsEn(d.packets)} from ${hopsEn(d.hops)} away (TTL ${ttlList(d.ttls)}, initial ${ttlList(d.initialTtls)}). Click to show line ${d.firstLine + 1}.`,
  resetGutter: 'forged RST',
  resetClaiming: (claimed, n) => `RST claiming ${claimed} — ${n === 1 ? 'line' : 'lines'} `,
  moreLines: (n) => ` and ${n} more`,
  resetDetail: (g) =>
    `TTL ${ttlList(g.ttls)} (initial ${g.initialTtl}) = ${hopsEn(g.hops)}; ` +
    (g.claimedSourceHops.length > 0
      ? `${g.claimedSource}'s own packets: ${g.claimedSourceHops.map(hopsEn).join(', ')}`
      : `no other packet of ${g.claimedSource} carries a TTL`),
  resetTooltip: (g) =>
    `${g.lines.length === 1 ? 'This RST claims' : `These ${g.lines.length} RSTs claim`} to come from ${g.claimedSource}` +
    (g.nearestClaimedHops === undefined ? '' : `, which sits ${hopsEn(g.nearestClaimedHops)} away,`) +
    ` but ${g.lines.length === 1 ? 'it was' : 'they were'} sent from ${hopsEn(g.hops)} away. Click to show line ${g.lines[0] + 1}.`,
  resetSender: 'RST sender?',
  lineTooltip: (line) => `Show line ${line + 1}`,
  moreLanes: (s, r) =>
    `Not drawn: ${s} more ${s === 1 ? 'source' : 'sources'}, ${r} more RST ${r === 1 ? 'group' : 'groups'}.`,
  noHops: (n) =>
    n === 0
      ? 'No packets in this document.'
      : `None of the ${packetsEn(n)} carries a TTL: capture with tcpdump -v to see who sent what from how far.`,
  ariaLabel: (m) =>
    `Hop map: ${m.sources.length} source addresses up to ${hopsEn(m.maxHops)} away, ${m.suspiciousResets.length} groups of forged RSTs.`,
};

const hopsJa = (n: number): string => `${n} ホップ`;

export const JAPANESE_LABELS: HopMapLabels = {
  panelTitle: 'ホップマップ',
  heading: (name) => `ホップマップ — ${name}`,
  unavailable:
    'この文書のホップマップはありません。tcpdump Lens が無効 (tcpdumpLens.enable) か、言語サーバーがまだ読み込んでいません。',
  failed: (reason) => `言語サーバーがホップマップを作れませんでした: ${reason}`,
  capturePoint: 'キャプチャ地点',
  rulerCaption:
    'キャプチャ地点からのホップ数 = 初期 TTL (64、128、255 …) − ここで見た TTL。マーカーをクリックするとその行へ移動します。',
  hops: hopsJa,
  distanceBadge: (d) => `${d.packets} 個 × TTL ${ttlList(d.ttls)}`,
  sourceTooltip: (a, d) =>
    `${a}: ${hopsJa(d.hops)}先から ${d.packets} パケット (TTL ${ttlList(d.ttls)}、初期値 ${ttlList(d.initialTtls)})。クリックで ${d.firstLine + 1} 行目へ。`,
  resetGutter: '偽造 RST',
  resetClaiming: (claimed) => `${claimed} を名乗る RST — 行 `,
  moreLines: (n) => ` ほか ${n} 行`,
  resetDetail: (g) =>
    `TTL ${ttlList(g.ttls)} (初期値 ${g.initialTtl}) = ${hopsJa(g.hops)}。` +
    (g.claimedSourceHops.length > 0
      ? `${g.claimedSource} 自身のパケット: ${g.claimedSourceHops.map(hopsJa).join('、')}`
      : `${g.claimedSource} の他のパケットには TTL がありません`),
  resetTooltip: (g) =>
    `${g.claimedSource}${g.nearestClaimedHops === undefined ? '' : ` (${hopsJa(g.nearestClaimedHops)}先)`} から来たことになっていますが、${hopsJa(g.hops)}先から送られています。クリックで ${g.lines[0] + 1} 行目へ。`,
  resetSender: 'RST の送り主?',
  lineTooltip: (line) => `${line + 1} 行目を表示`,
  moreLanes: (s, r) => `省略: 送信元 ${s} 個、RST グループ ${r} 個。`,
  noHops: (n) =>
    n === 0
      ? 'この文書にはパケットがありません。'
      : `${n} 個のパケットのどれにも TTL がありません。tcpdump -v で取り直してください。`,
  ariaLabel: (m) =>
    `ホップマップ: 送信元 ${m.sources.length} 個 (最大 ${hopsJa(m.maxHops)})、偽造 RST ${m.suspiciousResets.length} グループ。`,
};

/** Styles for the markup below; the page puts them in its nonce'd <style>. Colours are the theme's. */
export const HOP_MAP_CSS = `
.hop-map { font-family: var(--vscode-font-family, sans-serif); font-size: 12px; }
.hop-map text { fill: var(--vscode-foreground); }
.hop-map .muted { fill: var(--vscode-descriptionForeground); }
.hop-map .small { font-size: 11px; }
.hop-map .address { font-family: var(--vscode-editor-font-family, monospace); }
.hop-map .ruler { stroke: var(--vscode-foreground); stroke-width: 2; }
.hop-map .tick { stroke: var(--vscode-foreground); stroke-width: 1; }
.hop-map .grid { stroke: var(--vscode-descriptionForeground); stroke-width: 1; stroke-dasharray: 1 5; opacity: 0.6; }
.hop-map .path { stroke: var(--vscode-charts-blue); stroke-width: 1.5; stroke-dasharray: 4 4; opacity: 0.55; fill: none; }
.hop-map .capture { fill: var(--vscode-charts-green); stroke: var(--vscode-editor-background); stroke-width: 2; }
.hop-map .source { fill: var(--vscode-charts-blue); stroke: var(--vscode-editor-background); stroke-width: 2; }
.hop-map .reset { fill: var(--vscode-charts-red); stroke: var(--vscode-editor-background); stroke-width: 2; }
.hop-map .reset-text { fill: var(--vscode-errorForeground); font-weight: 600; }
.hop-map .claim { stroke: var(--vscode-charts-red); stroke-width: 1.5; stroke-dasharray: 5 3; fill: none; }
.hop-map .device { fill: var(--vscode-editor-background); stroke: var(--vscode-charts-red); stroke-width: 2; }
.hop-map .target { cursor: pointer; }
.hop-map .target:hover, .hop-map .target:focus { stroke: var(--vscode-focusBorder); stroke-width: 3; outline: none; }
.hop-map .line-link { fill: var(--vscode-textLink-foreground); text-decoration: underline; cursor: pointer; }
.hop-map .line-link:hover { fill: var(--vscode-textLink-activeForeground); }
`;

/**
 * Escapes text for HTML/SVG text content and quoted attribute values. Control and bidi characters
 * become visible escapes (displayText): a host name cannot reorder the labels around it.
 */
export function escapeMarkup(text: string): string {
  return displayText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Capture text can be arbitrarily long (a hostname when tcpdump ran without -n): keep lanes readable. */
function clip(text: string, max = 48): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Rough text width, erring wide, to size the picture: monospace (addresses) or the UI font. */
const textWidth = (text: string, size = 12, font: 'mono' | 'ui' = 'mono'): number =>
  text.length * size * (font === 'mono' ? 0.62 : 0.54);
const num = (n: number): string => (Number.isInteger(n) ? `${n}` : n.toFixed(1));

export const MAX_SOURCE_LANES = 40;
export const MAX_RESET_LANES = 40;
const LINES_IN_LABEL = 8;

export interface HopMapGeometry {
  /** x of the capture point (0 hops). */
  originX: number;
  /** Pixels per hop. */
  hopWidth: number;
  x(hops: number): number;
}

/** Where hops go on the x axis for a given map and gutter width. */
export function hopGeometry(maxHops: number, gutterWidth: number): HopMapGeometry {
  const originX = 16 + gutterWidth + 28;
  // Wide steps for the usual few hops; squeeze long Internet paths into ~960px.
  const hopWidth = maxHops <= 10 ? 96 : Math.max(3, Math.floor(960 / maxHops));
  return { originX, hopWidth, x: (hops) => originX + hops * hopWidth };
}

/** Every k-th hop gets a numbered tick, k chosen so numbers do not collide. */
function tickStep(hopWidth: number): number {
  for (const k of [1, 2, 5, 10, 20, 25, 50, 100]) if (k * hopWidth >= 36) return k;
  return 100;
}

type Lane = { kind: 'source'; source: HopMapSource } | { kind: 'reset'; group: HopMapResetGroup };

/** Sources in map order, each followed by the forged-RST groups that claim it; long maps are cut. */
function planLanes(map: HopMap): { lanes: Lane[]; hiddenSources: number; hiddenResets: number } {
  const shownResets = map.suspiciousResets.slice(0, MAX_RESET_LANES);
  const claimed = new Set(shownResets.map((g) => g.claimedSource));
  // Claimed sources always get a lane, so every forged RST has something to point at.
  let budget = Math.max(0, MAX_SOURCE_LANES - map.sources.filter((s) => claimed.has(s.address)).length);
  const shownSources = map.sources.filter((s) => claimed.has(s.address) || budget-- > 0);
  const lanes: Lane[] = [];
  const placed = new Set<HopMapResetGroup>();
  for (const source of shownSources) {
    lanes.push({ kind: 'source', source });
    for (const group of shownResets) {
      if (group.claimedSource === source.address) {
        lanes.push({ kind: 'reset', group });
        placed.add(group);
      }
    }
  }
  for (const group of shownResets) if (!placed.has(group)) lanes.push({ kind: 'reset', group });
  return {
    lanes,
    hiddenSources: map.sources.length - shownSources.length,
    hiddenResets: map.suspiciousResets.length - shownResets.length,
  };
}

const RULER_Y = 70;
const FIRST_LANE_Y = 116;
const SOURCE_LANE_HEIGHT = 54;
const RESET_LANE_HEIGHT = 58;

/** A short standalone message where a picture cannot be drawn (no TTLs, analysis off). */
export function renderHopMapNotice(text: string): string {
  return `<p class="notice">${escapeMarkup(text)}</p>`;
}

/** SVG markup (for inline use in HTML: no XML prolog or namespace URL needed) of the whole map. */
export function renderHopMapSvg(map: HopMap, labels: HopMapLabels = ENGLISH_LABELS): string {
  if (map.packetsWithHops === 0) return renderHopMapNotice(labels.noHops(map.packetCount));
  const { lanes, hiddenSources, hiddenResets } = planLanes(map);

  const gutterText = lanes.map((l) => (l.kind === 'source' ? clip(l.source.address) : labels.resetGutter));
  const gutterWidth = Math.max(96, ...gutterText.map((t) => textWidth(t)));
  const geo = hopGeometry(map.maxHops, gutterWidth);
  const rulerEnd = geo.x(map.maxHops) + 40;
  const step = tickStep(geo.hopWidth);

  const laneY: number[] = [];
  let y = FIRST_LANE_Y;
  for (const lane of lanes) {
    laneY.push(y);
    y += lane.kind === 'source' ? SOURCE_LANE_HEIGHT : RESET_LANE_HEIGHT;
  }
  const lanesBottom = y - 20;
  // Under the lanes: what the axis means, then what was left out.
  const captionY = y + 4;
  let height = captionY + 14;
  const footer = hiddenSources + hiddenResets > 0 ? labels.moreLanes(hiddenSources, hiddenResets) : undefined;
  if (footer) height += 20;

  const grid: string[] = [];
  const ruler: string[] = [];
  const paths: string[] = [];
  const claims: string[] = [];
  const markers: string[] = [];
  const texts: string[] = [];
  let width = rulerEnd + 24;
  const widen = (right: number): void => {
    width = Math.max(width, right + 16);
  };

  // The ruler: the path seen from the capture point, one tick per hop.
  ruler.push(`<line class="ruler" x1="${num(geo.originX)}" y1="${RULER_Y}" x2="${num(rulerEnd)}" y2="${RULER_Y}"/>`);
  for (let h = 0; h <= map.maxHops; h++) {
    const x = geo.x(h);
    // The last hop gets a number too, unless it would collide with the previous numbered one.
    const numbered = h % step === 0 || (h === map.maxHops && h % step >= step / 2);
    if (geo.hopWidth >= 6 || numbered) {
      ruler.push(
        `<line class="tick" x1="${num(x)}" y1="${RULER_Y - (numbered ? 6 : 3)}" x2="${num(x)}" y2="${RULER_Y + (numbered ? 6 : 3)}"/>`,
      );
    }
    if (numbered) {
      texts.push(`<text class="muted" x="${num(x)}" y="${RULER_Y + 22}" text-anchor="middle">${h}</text>`);
      grid.push(`<line class="grid" x1="${num(x)}" y1="${RULER_Y + 30}" x2="${num(x)}" y2="${num(lanesBottom)}"/>`);
    }
  }

  // Devices that sent forged RSTs sit on the path, where their TTL says.
  const senderHops = [...new Set(map.suspiciousResets.map((g) => g.hops))];
  for (const h of senderHops) {
    const x = geo.x(h);
    ruler.push(`<rect class="device" x="${num(x - 9)}" y="${RULER_Y - 9}" width="18" height="18" rx="3"/>`);
    // Raised when close to the capture point, so the two labels do not overlap.
    const labelY = x - geo.originX < 90 ? RULER_Y - 36 : RULER_Y - 18;
    texts.push(
      `<text class="reset-text" x="${num(x)}" y="${labelY}" text-anchor="middle">${escapeMarkup(labels.resetSender)}</text>`,
    );
  }
  // The capture point, drawn after the devices so it stays visible at 0 hops.
  ruler.push(`<circle class="capture" cx="${num(geo.originX)}" cy="${RULER_Y}" r="9"/>`);
  texts.push(
    `<text x="${num(geo.originX)}" y="${RULER_Y - 18}" text-anchor="middle">${escapeMarkup(labels.capturePoint)}</text>`,
  );

  const markerCenter = new Map<string, Map<number, { x: number; y: number }>>();

  lanes.forEach((lane, i) => {
    const top = laneY[i];
    const cy = top + 22;
    if (lane.kind === 'source') {
      const s = lane.source;
      texts.push(
        `<text class="address" x="${num(16 + gutterWidth)}" y="${cy + 4}" text-anchor="end">${escapeMarkup(clip(s.address))}</text>`,
      );
      const far = geo.x(s.distances[s.distances.length - 1].hops);
      paths.push(`<line class="path" x1="${num(geo.originX)}" y1="${cy}" x2="${num(far)}" y2="${cy}"/>`);
      const centers = new Map<number, { x: number; y: number }>();
      markerCenter.set(s.address, centers);
      for (const d of s.distances) {
        const x = geo.x(d.hops);
        centers.set(d.hops, { x, y: cy });
        const tip = labels.sourceTooltip(s.address, d);
        markers.push(
          `<circle class="source target" cx="${num(x)}" cy="${cy}" r="7" data-line="${d.firstLine}" tabindex="0" role="button" aria-label="${escapeMarkup(tip)}"><title>${escapeMarkup(tip)}</title></circle>`,
        );
        const badge = labels.distanceBadge(d);
        texts.push(
          `<text class="muted small" x="${num(x)}" y="${cy - 13}" text-anchor="middle">${escapeMarkup(badge)}</text>`,
        );
        widen(x + textWidth(badge, 11) / 2);
      }
      return;
    }

    const g = lane.group;
    const x = geo.x(g.hops);
    texts.push(
      `<text class="reset-text small" x="${num(16 + gutterWidth)}" y="${cy + 4}" text-anchor="end">${escapeMarkup(labels.resetGutter)}</text>`,
    );
    // From the device on the ruler down to its RSTs.
    claims.push(
      `<line class="claim" x1="${num(x)}" y1="${RULER_Y + 28}" x2="${num(x)}" y2="${cy - 9}" opacity="0.35"/>`,
    );
    // To where the claimed sender really is.
    const to =
      g.nearestClaimedHops === undefined ? undefined : markerCenter.get(g.claimedSource)?.get(g.nearestClaimedHops);
    if (to) claims.push(`<line class="claim" x1="${num(x)}" y1="${cy - 9}" x2="${num(to.x)}" y2="${num(to.y + 9)}"/>`);
    const tip = labels.resetTooltip(g);
    markers.push(
      `<path class="reset target" d="M ${num(x)} ${cy - 9} L ${num(x + 9)} ${cy} L ${num(x)} ${cy + 9} L ${num(x - 9)} ${cy} Z" data-line="${g.lines[0]}" tabindex="0" role="button" aria-label="${escapeMarkup(tip)}"><title>${escapeMarkup(tip)}</title></path>`,
    );
    const shown = g.lines.slice(0, LINES_IN_LABEL);
    const head = labels.resetClaiming(clip(g.claimedSource), g.lines.length);
    const links = shown.map(
      (l, k) =>
        `${k > 0 ? ', ' : ''}<tspan class="line-link" data-line="${l}"><title>${escapeMarkup(labels.lineTooltip(l))}</title>${l + 1}</tspan>`,
    );
    const more = g.lines.length > shown.length ? labels.moreLines(g.lines.length - shown.length) : '';
    const tx = x + 16;
    texts.push(
      `<text class="reset-text" x="${num(tx)}" y="${cy + 4}">${escapeMarkup(head)}${links.join('')}${escapeMarkup(more)}</text>`,
    );
    const detail = labels.resetDetail({ ...g, claimedSource: clip(g.claimedSource) });
    texts.push(`<text class="muted small" x="${num(tx)}" y="${cy + 22}">${escapeMarkup(detail)}</text>`);
    widen(tx + Math.max(textWidth(head + shown.map((l) => `${l + 1}, `).join('') + more), textWidth(detail, 11)));
  });

  texts.push(
    `<text class="muted small" x="${num(geo.originX)}" y="${captionY}">${escapeMarkup(labels.rulerCaption)}</text>`,
  );
  widen(geo.originX + textWidth(labels.rulerCaption, 11, 'ui'));
  if (footer) texts.push(`<text class="muted" x="16" y="${num(height - 14)}">${escapeMarkup(footer)}</text>`);

  width = Math.ceil(width);
  height = Math.ceil(height);
  return [
    `<svg class="hop-map" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(labels.ariaLabel(map))}">`,
    ...grid,
    ...paths,
    ...claims,
    ...ruler,
    ...markers,
    ...texts,
    '</svg>',
  ].join('\n');
}
