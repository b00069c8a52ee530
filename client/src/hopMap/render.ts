import { displayText } from '../../../server/src/core/displayText';
import type {
  HopMap,
  HopMapDevice,
  HopMapDistance,
  HopMapResetGroup,
  HopMapSource,
} from '../../../server/src/core/hopMap';
import type { Confidence } from '../../../server/src/core/options';

/*
 * Draws a hop map as SVG markup, like the article's figure: the capture point on the left, a ruler
 * of hops going right, every sender placed at its distance, one marker per suspected device where
 * its RSTs' TTL says it sits, and forged RSTs that belong to no device on their own. Pure (no
 * vscode): the panel posts the result into its webview.
 *
 * Labels never overlap: every <text> is laid out as a box (its width estimated from its characters
 * and font, erring wide) and placed where no other box is — labels over the ruler stack on rows,
 * badges of one source stack above its markers, long text is cut with an ellipsis and keeps its
 * full wording in a tooltip. `layoutHopMap` returns the boxes with the markup, so tests can hold
 * the picture to it.
 *
 * Capture text is untrusted, and addresses come from it: every piece of text and every attribute
 * value goes through `escapeMarkup` (markup characters and control/bidi characters). No inline
 * style attributes (the webview's CSP forbids them): looks come from classes styled by
 * HOP_MAP_CSS with the theme's variables.
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
  /** Over the ruler, at the distance forged RSTs that belong to no device come from. */
  resetSender: string;
  lineTooltip(line: number): string;
  moreLanes(sources: number, resets: number): string;
  noHops(packetCount: number): string;
  ariaLabel(map: HopMap): string;
  /** Over the ruler, at a device's distance, e.g. "device #1 · 3 RSTs". */
  deviceLabel(d: HopMapDevice): string;
  /** The device lane's gutter, e.g. "device #1". */
  deviceGutter(d: HopMapDevice): string;
  /** The device lane's headline before its line numbers. `claimed` is the one host, or undefined for several. */
  deviceHeadline(d: HopMapDevice, claimed: string | undefined): string;
  /** Under the headline: the device's TTL and where it sits before the hosts it spoke for. */
  deviceDetail(d: HopMapDevice): string;
  /** Everything about a device, claimed hosts included (tooltips). */
  deviceTooltip(d: HopMapDevice): string;
  /** The status line over the map: what is drawn of what there is. */
  status(s: HopMapCounts, filter: string): string;
  /** The button that draws the next page of sources. */
  showMore(n: number): string;
  filterPlaceholder: string;
}

/** What a layout drew, of what matched the filter, of what there is. */
export interface HopMapCounts {
  sources: { total: number; matching: number; shown: number };
  /** Groups of suspicious RSTs that belong to no device. */
  resets: { total: number; matching: number; shown: number };
  /** Devices, and how many have a lane (under a filter: those that spoke for a matching host). */
  devices: { total: number; shown: number };
}

const packetsEn = (n: number): string => `${n} ${n === 1 ? 'packet' : 'packets'}`;
const hopsEn = (n: number): string => `${n} ${n === 1 ? 'hop' : 'hops'}`;
const rstsEn = (n: number): string => `${n} ${n === 1 ? 'RST' : 'RSTs'}`;
const sourcesEn = (n: number): string => `${n} ${n === 1 ? 'source' : 'sources'}`;
const ttlList = (ttls: readonly number[]): string => ttls.join('/');
/** At most this many claimed hosts are named in one tooltip. */
const HOSTS_IN_TOOLTIP = 60;

const claimedListEn = (d: HopMapDevice, max: number): string => {
  const named = d.claimedSources.slice(0, max).map((c) => {
    const where =
      c.hostHops === undefined
        ? ''
        : ` (${hopsEn(c.hostHops)} away${c.hopsBefore !== undefined && c.hopsBefore > 0 ? `, ${c.hopsBefore} behind the device` : ''})`;
    return `${c.address}${where}`;
  });
  const rest = d.claimedSources.length - named.length;
  return named.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
};

const CONFIDENCE_EN: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

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
    `Hop map: ${m.sources.length} source addresses up to ${hopsEn(m.maxHops)} away, ` +
    `${m.devices.length} suspected ${m.devices.length === 1 ? 'device' : 'devices'}, ${m.suspiciousResets.length} groups of forged RSTs.`,
  deviceLabel: (d) => `device #${d.id} · ${rstsEn(d.lines.length)}`,
  deviceGutter: (d) => `device #${d.id}`,
  deviceHeadline: (d, claimed) =>
    `device #${d.id} (${CONFIDENCE_EN[d.confidence]}): ${rstsEn(d.lines.length)} claiming ` +
    `${claimed ?? `${d.claimedSources.length} hosts`} — ${d.lines.length === 1 ? 'line' : 'lines'} `,
  deviceDetail: (d) => {
    const head = `TTL ${d.ttl} (initial ${d.initialTtl}) = ${hopsEn(d.hops)}; `;
    const only = d.claimedSources.length === 1 ? d.claimedSources[0] : undefined;
    if (only?.hopsBefore !== undefined && only.hostHops !== undefined)
      return `${head}${hopsEn(only.hopsBefore)} before ${only.address} (${hopsEn(only.hostHops)} away)`;
    return `${head}claims ${claimedListEn(d, 12)}`;
  },
  deviceTooltip: (d) =>
    `Suspected device #${d.id} (${CONFIDENCE_EN[d.confidence]} confidence): ${rstsEn(d.lines.length)} from ${hopsEn(d.hops)} away ` +
    `(TTL ${d.ttl}, initial ${d.initialTtl}), claiming to come from ${claimedListEn(d, HOSTS_IN_TOOLTIP)}. ` +
    `Click to show line ${d.lines[0] + 1}.`,
  status: (s, filter) => {
    const { total, matching, shown } = s.sources;
    const resets = s.resets.shown < s.resets.matching ? `, ${s.resets.shown} of ${s.resets.matching} RST groups` : '';
    if (filter !== '') {
      if (matching === 0) return `No source matches “${filter}” (${sourcesEn(total)} in all).`;
      if (shown < matching)
        return `Showing ${shown} of ${matching} sources matching “${filter}”${resets} (${total} in all).`;
      return `${matching} of ${sourcesEn(total)} ${matching === 1 ? 'matches' : 'match'} “${filter}”.`;
    }
    if (shown < total || resets !== '')
      return `Showing ${shown} of ${sourcesEn(total)}${resets} — type to filter, or show more.`;
    return `${sourcesEn(total)}, ${s.devices.total} suspected ${s.devices.total === 1 ? 'device' : 'devices'}.`;
  },
  showMore: (n) => `Show ${n} more`,
  filterPlaceholder: 'Filter sources by address',
};

const hopsJa = (n: number): string => `${n} ホップ`;
const CONFIDENCE_JA: Record<Confidence, string> = { high: '高', medium: '中', low: '低' };
const claimedListJa = (d: HopMapDevice, max: number): string => {
  const named = d.claimedSources.slice(0, max).map((c) => {
    const where =
      c.hostHops === undefined
        ? ''
        : ` (${hopsJa(c.hostHops)}先${c.hopsBefore !== undefined && c.hopsBefore > 0 ? `、装置の ${c.hopsBefore} ホップ奥` : ''})`;
    return `${c.address}${where}`;
  });
  const rest = d.claimedSources.length - named.length;
  return named.join('、') + (rest > 0 ? ` ほか ${rest} 個` : '');
};

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
    `ホップマップ: 送信元 ${m.sources.length} 個 (最大 ${hopsJa(m.maxHops)})、疑わしい装置 ${m.devices.length} 台、偽造 RST ${m.suspiciousResets.length} グループ。`,
  deviceLabel: (d) => `装置 #${d.id} · RST ${d.lines.length} 個`,
  deviceGutter: (d) => `装置 #${d.id}`,
  deviceHeadline: (d, claimed) =>
    `装置 #${d.id} (確度 ${CONFIDENCE_JA[d.confidence]}): ${claimed ?? `${d.claimedSources.length} 個のホスト`} を名乗る RST ${d.lines.length} 個 — 行 `,
  deviceDetail: (d) => {
    const head = `TTL ${d.ttl} (初期値 ${d.initialTtl}) = ${hopsJa(d.hops)}。`;
    const only = d.claimedSources.length === 1 ? d.claimedSources[0] : undefined;
    if (only?.hopsBefore !== undefined && only.hostHops !== undefined)
      return `${head}${only.address} (${hopsJa(only.hostHops)}先) の ${hopsJa(only.hopsBefore)}手前`;
    return `${head}名乗ったホスト: ${claimedListJa(d, 12)}`;
  },
  deviceTooltip: (d) =>
    `疑わしい装置 #${d.id} (確度 ${CONFIDENCE_JA[d.confidence]}): ${hopsJa(d.hops)}先から RST ${d.lines.length} 個 ` +
    `(TTL ${d.ttl}、初期値 ${d.initialTtl})。名乗ったホスト: ${claimedListJa(d, HOSTS_IN_TOOLTIP)}。クリックで ${d.lines[0] + 1} 行目へ。`,
  status: (s, filter) => {
    const { total, matching, shown } = s.sources;
    const resets =
      s.resets.shown < s.resets.matching ? `、RST グループ ${s.resets.matching} 個中 ${s.resets.shown} 個` : '';
    if (filter !== '') {
      if (matching === 0) return `「${filter}」に一致する送信元はありません (全 ${total} 個)。`;
      if (shown < matching)
        return `「${filter}」に一致する送信元 ${matching} 個中 ${shown} 個を表示${resets} (全 ${total} 個)。`;
      return `送信元 ${total} 個中 ${matching} 個が「${filter}」に一致。`;
    }
    if (shown < total || resets !== '')
      return `送信元 ${total} 個中 ${shown} 個を表示${resets} — 入力して絞り込むか、続きを表示してください。`;
    return `送信元 ${total} 個、疑わしい装置 ${s.devices.total} 台。`;
  },
  showMore: (n) => `さらに ${n} 個表示`,
  filterPlaceholder: 'アドレスで送信元を絞り込み',
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
.hop-map .loose { fill: var(--vscode-editor-background); stroke: var(--vscode-charts-yellow, var(--vscode-charts-red)); stroke-width: 2; stroke-dasharray: 3 2; }
.hop-map .target { cursor: pointer; }
.hop-map .target:hover, .hop-map .target:focus { stroke: var(--vscode-focusBorder); stroke-width: 3; outline: none; }
.hop-map .label-link { cursor: pointer; }
.hop-map .label-link:hover, .hop-map .label-link:focus { text-decoration: underline; outline: none; }
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
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

export type LabelFont = 'ui' | 'bold' | 'mono';

/**
 * The width a text takes, erring wide, per character class: measured on DejaVu Sans / Sans Mono
 * (Linux's defaults, among the widest UI fonts), rounded up. Wide (CJK, fullwidth) characters take
 * a full em, or two monospace cells.
 */
export function textWidth(text: string, size: number, font: LabelFont): number {
  let ems = 0;
  for (const ch of displayText(text)) {
    const c = ch.codePointAt(0)!;
    const wide =
      c >= 0x1100 &&
      (c <= 0x115f ||
        (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) ||
        (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) ||
        c >= 0x1f300);
    if (font === 'mono') ems += wide ? 1.25 : 0.62;
    else if (wide) ems += 1.1;
    else if (" .,:;'!|iljtfrI()[]·".includes(ch)) ems += 0.42;
    else if ('mwMW—…×#%@&'.includes(ch)) ems += 1.02;
    else if (ch >= 'A' && ch <= 'Z') ems += 0.78;
    else ems += 0.66;
  }
  return ems * size * (font === 'bold' ? 1.1 : 1);
}

/** One <text> element's box in the SVG's coordinates (what getBBox would give, erring large). */
export interface LabelBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** The text as shown (plain). */
  text: string;
}

export function boxesOverlap(a: LabelBox, b: LabelBox, gap = 0): boolean {
  return (
    a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap
  );
}

type Anchor = 'start' | 'middle' | 'end';

/** The box of a text drawn at (x, baseline y): ascent about one em, descent a third. */
function boxOf(text: string, x: number, y: number, size: number, font: LabelFont, anchor: Anchor): LabelBox {
  const width = textWidth(text, size, font);
  const left = anchor === 'start' ? x : anchor === 'middle' ? x - width / 2 : x - width;
  return { x: left, y: y - size, width, height: size * 1.34, text: displayText(text) };
}

const num = (n: number): string => (Number.isInteger(n) ? `${n}` : n.toFixed(1));

/** Source lanes (and RST groups of no device) drawn per page; the rest is one filter or "show more" away. */
export const MAX_SOURCE_LANES = 50;
export const MAX_RESET_LANES = 40;
const LINES_IN_LABEL = 8;
/** Longest headline and detail under a device or RST group, in characters; the rest is in the tooltip. */
const DETAIL_CHARS = 110;
/** Rows of badges over one source lane; badges that find no room stay in their marker's tooltip. */
const BADGE_ROWS = 3;
/** Rows of labels over the ruler; a device whose label finds no room keeps its marker and its lane. */
const RULER_ROWS = 6;
/** Claim lines from a device's lane to the hosts it spoke for, drawn only up to this many hosts. */
const MAX_CLAIM_LINES = 3;

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

/** What the view asks for: a filter on source addresses and how many pages of lanes. */
export interface HopMapView {
  /** Case-insensitive substring of a source address; empty or absent draws every source. */
  filter?: string;
  /** Pages of MAX_SOURCE_LANES sources (and MAX_RESET_LANES RST groups) to draw; 1 when absent. */
  pages?: number;
}

type Lane =
  | { kind: 'source'; source: HopMapSource }
  | { kind: 'reset'; group: HopMapResetGroup }
  | { kind: 'device'; device: HopMapDevice };

interface LanePlan {
  lanes: Lane[];
  counts: HopMapCounts;
  /** Groups of no device that are drawn: their distances get an "RST sender?" label on the ruler. */
  looseShown: HopMapResetGroup[];
}

const normalizedFilter = (view: HopMapView): string => (view.filter ?? '').trim();

/**
 * Devices first (they are the answer), then sources in map order, each followed by the RST groups
 * of no device that claim it. Sources that match the filter are drawn a page at a time: the hosts
 * devices and drawn groups spoke for come first, so claim lines have something to point at.
 */
function planLanes(map: HopMap, view: HopMapView): LanePlan {
  const filter = normalizedFilter(view).toLowerCase();
  const pages = Math.max(1, Math.floor(view.pages ?? 1));
  const matches = (address: string): boolean => filter === '' || address.toLowerCase().includes(filter);
  const loose = map.suspiciousResets.filter((g) => g.device === undefined);
  const looseMatching = loose.filter((g) => matches(g.claimedSource));
  const looseShown = looseMatching.slice(0, pages * MAX_RESET_LANES);
  const sourcesMatching = map.sources.filter((s) => matches(s.address));

  const sourceLimit = pages * MAX_SOURCE_LANES;
  const first = new Set<string>(looseShown.map((g) => g.claimedSource));
  for (const d of map.devices) for (const c of d.claimedSources) first.add(c.address);
  const shown = new Set<HopMapSource>();
  // Hosts a drawn RST group claims always get their lane; devices' hosts within the page.
  for (const s of sourcesMatching) if (looseShown.some((g) => g.claimedSource === s.address)) shown.add(s);
  for (const s of sourcesMatching) if (shown.size < sourceLimit && first.has(s.address)) shown.add(s);
  for (const s of sourcesMatching) if (shown.size < sourceLimit) shown.add(s);

  // Under a filter, the devices that spoke for a matching host.
  const devicesShown = map.devices.filter((d) => d.claimedSources.some((c) => matches(c.address)));
  const lanes: Lane[] = devicesShown.map((device) => ({ kind: 'device', device }));
  const placed = new Set<HopMapResetGroup>();
  for (const source of sourcesMatching) {
    if (!shown.has(source)) continue;
    lanes.push({ kind: 'source', source });
    for (const group of looseShown) {
      if (group.claimedSource === source.address) {
        lanes.push({ kind: 'reset', group });
        placed.add(group);
      }
    }
  }
  for (const group of looseShown) if (!placed.has(group)) lanes.push({ kind: 'reset', group });
  return {
    lanes,
    looseShown,
    counts: {
      sources: { total: map.sources.length, matching: sourcesMatching.length, shown: shown.size },
      resets: { total: loose.length, matching: looseMatching.length, shown: looseShown.length },
      devices: { total: map.devices.length, shown: devicesShown.length },
    },
  };
}

/** The text elements drawn so far, and where they are. */
class Texts {
  readonly markup: string[] = [];
  readonly boxes: LabelBox[] = [];

  fits(box: LabelBox, gap = 4): boolean {
    return !this.boxes.some((b) => boxesOverlap(b, box, gap));
  }

  /**
   * A <text> element. `shown` is its plain text (escaped here); `inner` replaces it with ready
   * markup (line links) of the same text; `title` becomes its tooltip; `attrs` are trusted.
   */
  add(
    shown: string,
    at: { x: number; y: number; size: number; font: LabelFont; anchor: Anchor; cls: string },
    extra: { inner?: string; title?: string; attrs?: string } = {},
  ): LabelBox {
    const box = boxOf(shown, at.x, at.y, at.size, at.font, at.anchor);
    this.boxes.push(box);
    const anchor = at.anchor === 'start' ? '' : ` text-anchor="${at.anchor}"`;
    const cls = at.cls ? ` class="${at.cls}"` : '';
    const title = extra.title === undefined ? '' : `<title>${escapeMarkup(extra.title)}</title>`;
    this.markup.push(
      `<text${cls} x="${num(at.x)}" y="${num(at.y)}"${anchor}${extra.attrs ?? ''}>${title}${extra.inner ?? escapeMarkup(shown)}</text>`,
    );
    return box;
  }
}

const RULER_TOP = 16;
const RULER_ROW = 18;
const SOURCE_LANE_GAP = 18;
const RESET_LANE_HEIGHT = 58;
const BADGE_ROW = 16;

/** A short standalone message where a picture cannot be drawn (no TTLs, analysis off). */
export function renderHopMapNotice(text: string): string {
  return `<p class="notice">${escapeMarkup(text)}</p>`;
}

export interface HopMapLayout {
  /** The SVG (or, with no TTL in the document, a notice). */
  markup: string;
  /** One box per <text> element, in document order. */
  boxes: LabelBox[];
  counts: HopMapCounts;
  width: number;
  height: number;
}

/** SVG markup (for inline use in HTML: no XML prolog or namespace URL needed) of the whole map. */
export function renderHopMapSvg(map: HopMap, labels: HopMapLabels = ENGLISH_LABELS, view: HopMapView = {}): string {
  return layoutHopMap(map, labels, view).markup;
}

/** The status line for a layout: how many sources are drawn of how many, and how to reach the rest. */
export function hopMapStatus(layout: HopMapLayout, labels: HopMapLabels, view: HopMapView = {}): string {
  return labels.status(layout.counts, clip(normalizedFilter(view), 60));
}

/** Whether a "show more" page would draw anything more. */
export function hasMore(counts: HopMapCounts): boolean {
  return counts.sources.shown < counts.sources.matching || counts.resets.shown < counts.resets.matching;
}

/** The whole map laid out: markup, every label's box, and what was drawn of what there is. */
export function layoutHopMap(map: HopMap, labels: HopMapLabels = ENGLISH_LABELS, view: HopMapView = {}): HopMapLayout {
  const plan = planLanes(map, view);
  if (map.packetsWithHops === 0)
    return {
      markup: renderHopMapNotice(labels.noHops(map.packetCount)),
      boxes: [],
      counts: plan.counts,
      width: 0,
      height: 0,
    };
  const { lanes, looseShown } = plan;
  const t = new Texts();

  const gutterOf = (l: Lane): { text: string; font: LabelFont; size: number } =>
    l.kind === 'source'
      ? { text: clip(l.source.address), font: 'mono', size: 12 }
      : { text: l.kind === 'device' ? labels.deviceGutter(l.device) : labels.resetGutter, font: 'bold', size: 11 };
  const gutterWidth = Math.max(96, ...lanes.map((l) => gutterOf(l)).map((g) => textWidth(g.text, g.size, g.font)));
  const geo = hopGeometry(map.maxHops, gutterWidth);
  const rulerEnd = geo.x(map.maxHops) + 40;
  const step = tickStep(geo.hopWidth);

  // Over the ruler: the capture point, each device, and "RST sender?" where groups of no device
  // come from. Each label takes the lowest row where it overlaps nothing; the ruler sits under
  // the rows it took.
  interface RulerLabel {
    x: number;
    text: string;
    font: LabelFont;
    cls: string;
    title?: string;
    line?: number;
  }
  const rulerLabels: RulerLabel[] = [{ x: geo.originX, text: labels.capturePoint, font: 'ui', cls: '' }];
  for (const d of map.devices) {
    rulerLabels.push({
      x: geo.x(d.hops),
      text: labels.deviceLabel(d),
      font: 'bold',
      cls: 'reset-text label-link',
      title: labels.deviceTooltip(d),
      line: d.lines[0],
    });
  }
  const looseHops = [...new Set(looseShown.map((g) => g.hops))].sort((a, b) => a - b);
  for (const h of looseHops)
    rulerLabels.push({ x: geo.x(h), text: labels.resetSender, font: 'bold', cls: 'reset-text' });
  const rows: LabelBox[][] = [];
  const rowOf: number[] = [];
  for (const l of rulerLabels) {
    const probe = boxOf(l.text, Math.max(l.x, 8 + textWidth(l.text, 12, l.font) / 2), 0, 12, l.font, 'middle');
    let r = 0;
    while (r < RULER_ROWS && rows[r]?.some((b) => boxesOverlap(b, probe, 8))) r++;
    if (r < RULER_ROWS) (rows[r] ??= []).push(probe);
    rowOf.push(r);
  }
  const rulerY = RULER_TOP + rows.length * RULER_ROW + 20;

  const grid: string[] = [];
  const ruler: string[] = [];
  const paths: string[] = [];
  const claims: string[] = [];
  const markers: string[] = [];

  rulerLabels.forEach((l, i) => {
    if (rowOf[i] >= RULER_ROWS) return;
    const x = Math.max(l.x, 8 + textWidth(l.text, 12, l.font) / 2);
    const attrs = l.line === undefined ? '' : ` data-line="${l.line}" tabindex="0" role="button"`;
    t.add(
      l.text,
      { x, y: rulerY - 18 - rowOf[i] * RULER_ROW, size: 12, font: l.font, anchor: 'middle', cls: l.cls },
      { title: l.title, attrs },
    );
  });

  // The ruler: the path seen from the capture point, one tick per hop.
  ruler.push(`<line class="ruler" x1="${num(geo.originX)}" y1="${rulerY}" x2="${num(rulerEnd)}" y2="${rulerY}"/>`);
  const numbered: number[] = [];
  for (let h = 0; h <= map.maxHops; h++) {
    const x = geo.x(h);
    let isNumbered = h % step === 0 || h === map.maxHops;
    if (isNumbered) {
      // The last hop gets a number too, unless it would collide with the previous numbered one.
      const box = boxOf(String(h), x, rulerY + 22, 12, 'ui', 'middle');
      isNumbered = t.fits(box, 6);
      if (isNumbered) {
        t.add(String(h), { x, y: rulerY + 22, size: 12, font: 'ui', anchor: 'middle', cls: 'muted' });
        numbered.push(x);
      }
    }
    if (geo.hopWidth >= 6 || isNumbered) {
      ruler.push(
        `<line class="tick" x1="${num(x)}" y1="${rulerY - (isNumbered ? 6 : 3)}" x2="${num(x)}" y2="${rulerY + (isNumbered ? 6 : 3)}"/>`,
      );
    }
  }

  // Devices sit on the path, where their TTL says; RSTs of no device get a dashed marker.
  for (const d of map.devices) {
    const x = geo.x(d.hops);
    const tip = labels.deviceTooltip(d);
    ruler.push(
      `<rect class="device target" x="${num(x - 9)}" y="${rulerY - 9}" width="18" height="18" rx="3" data-line="${d.lines[0]}" tabindex="0" role="button" aria-label="${escapeMarkup(tip)}"><title>${escapeMarkup(tip)}</title></rect>`,
    );
  }
  for (const h of looseHops) {
    if (map.devices.some((d) => d.hops === h)) continue;
    const x = geo.x(h);
    ruler.push(`<rect class="device loose" x="${num(x - 8)}" y="${rulerY - 8}" width="16" height="16" rx="3"/>`);
  }
  // The capture point, drawn after the devices so it stays visible at 0 hops.
  ruler.push(`<circle class="capture" cx="${num(geo.originX)}" cy="${rulerY}" r="9"/>`);

  const markerCenter = new Map<string, Map<number, { x: number; y: number }>>();
  const gutterX = 16 + gutterWidth;
  let y = rulerY + 46;

  const lineLinks = (lines: readonly number[]): { markup: string; text: string } => {
    const shown = lines.slice(0, LINES_IN_LABEL);
    const more = lines.length > shown.length ? labels.moreLines(lines.length - shown.length) : '';
    return {
      markup:
        shown
          .map(
            (l, k) =>
              `${k > 0 ? ', ' : ''}<tspan class="line-link" data-line="${l}"><title>${escapeMarkup(labels.lineTooltip(l))}</title>${l + 1}</tspan>`,
          )
          .join('') + escapeMarkup(more),
      text: shown.map((l) => `${l + 1}`).join(', ') + more,
    };
  };

  /** A lane of RSTs: the marker at their sender's distance, a headline with line links, a detail line. */
  const rstLane = (
    top: number,
    gutter: string,
    hops: number,
    lines: readonly number[],
    headline: string,
    detail: string,
    tip: string,
    targets: readonly { x: number; y: number }[],
  ): void => {
    const cy = top + 22;
    const x = geo.x(hops);
    t.add(gutter, { x: gutterX, y: cy + 4, size: 11, font: 'bold', anchor: 'end', cls: 'reset-text small' });
    // From the ruler down to its RSTs, and on to where the hosts they claim really are.
    claims.push(
      `<line class="claim" x1="${num(x)}" y1="${rulerY + 28}" x2="${num(x)}" y2="${cy - 9}" opacity="0.35"/>`,
    );
    for (const to of targets)
      claims.push(`<line class="claim" x1="${num(x)}" y1="${cy - 9}" x2="${num(to.x)}" y2="${num(to.y + 9)}"/>`);
    markers.push(
      `<path class="reset target" d="M ${num(x)} ${cy - 9} L ${num(x + 9)} ${cy} L ${num(x)} ${cy + 9} L ${num(x - 9)} ${cy} Z" data-line="${lines[0]}" tabindex="0" role="button" aria-label="${escapeMarkup(tip)}"><title>${escapeMarkup(tip)}</title></path>`,
    );
    const links = lineLinks(lines);
    const head = clip(headline, DETAIL_CHARS);
    t.add(
      head + links.text,
      { x: x + 16, y: cy + 4, size: 12, font: 'bold', anchor: 'start', cls: 'reset-text' },
      { inner: escapeMarkup(head) + links.markup, title: head === headline ? undefined : tip },
    );
    const shortDetail = clip(detail, DETAIL_CHARS);
    t.add(
      shortDetail,
      { x: x + 16, y: cy + 22, size: 11, font: 'ui', anchor: 'start', cls: 'muted small' },
      { title: shortDetail === detail ? undefined : detail },
    );
  };

  // Source lanes first (claim lines point at their markers), RST lanes after; drawn top to bottom.
  const tops = new Map<Lane, number>();
  const sourceRows = new Map<Lane, { badge: string; x: number; row: number }[]>();
  for (const lane of lanes) {
    tops.set(lane, y);
    if (lane.kind !== 'source') {
      y += RESET_LANE_HEIGHT;
      continue;
    }
    // Badges over the markers: each on the lowest of BADGE_ROWS rows where it overlaps no other.
    const rowsOfLane: LabelBox[][] = [];
    const badges: { badge: string; x: number; row: number }[] = [];
    for (const d of lane.source.distances) {
      const badge = labels.distanceBadge(d);
      const x = geo.x(d.hops);
      const probe = boxOf(badge, x, 0, 11, 'ui', 'middle');
      let r = 0;
      while (r < BADGE_ROWS && rowsOfLane[r]?.some((b) => boxesOverlap(b, probe, 6))) r++;
      if (r === BADGE_ROWS) continue;
      (rowsOfLane[r] ??= []).push(probe);
      badges.push({ badge, x, row: r });
    }
    sourceRows.set(lane, badges);
    y += 8 + Math.max(1, rowsOfLane.length) * BADGE_ROW + 14 + SOURCE_LANE_GAP;
  }
  const lanesBottom = y - 20;

  for (const lane of lanes) {
    if (lane.kind !== 'source') continue;
    const top = tops.get(lane)!;
    const badges = sourceRows.get(lane)!;
    const rowCount = Math.max(1, ...badges.map((b) => b.row + 1));
    const cy = top + 8 + rowCount * BADGE_ROW + 14;
    const s = lane.source;
    t.add(clip(s.address), { x: gutterX, y: cy + 4, size: 12, font: 'mono', anchor: 'end', cls: 'address' });
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
    }
    for (const b of badges)
      t.add(b.badge, {
        x: b.x,
        y: cy - 13 - b.row * BADGE_ROW,
        size: 11,
        font: 'ui',
        anchor: 'middle',
        cls: 'muted small',
      });
  }

  for (const lane of lanes) {
    if (lane.kind === 'source') continue;
    const top = tops.get(lane)!;
    if (lane.kind === 'device') {
      const d = lane.device;
      // A line to each host it spoke for while they are few; past that they would bury the lanes in
      // crossing lines (the hosts are named in the detail line and the tooltip).
      const targets = (d.claimedSources.length <= MAX_CLAIM_LINES ? d.claimedSources : []).flatMap((c) => {
        const at = markerCenter.get(c.address);
        if (!at) return [];
        const hops = nearestTo(c.hostHops ?? d.hops, [...at.keys()]);
        return hops === undefined ? [] : [at.get(hops)!];
      });
      const only = d.claimedSources.length === 1 ? clip(d.claimedSources[0].address) : undefined;
      rstLane(
        top,
        labels.deviceGutter(d),
        d.hops,
        d.lines,
        labels.deviceHeadline(d, only),
        labels.deviceDetail(d),
        labels.deviceTooltip(d),
        targets,
      );
    } else {
      const g = lane.group;
      const to =
        g.nearestClaimedHops === undefined ? undefined : markerCenter.get(g.claimedSource)?.get(g.nearestClaimedHops);
      rstLane(
        top,
        labels.resetGutter,
        g.hops,
        g.lines,
        labels.resetClaiming(clip(g.claimedSource), g.lines.length),
        labels.resetDetail({ ...g, claimedSource: clip(g.claimedSource) }),
        labels.resetTooltip(g),
        to ? [to] : [],
      );
    }
  }

  for (const x of numbered)
    grid.push(`<line class="grid" x1="${num(x)}" y1="${rulerY + 30}" x2="${num(x)}" y2="${num(lanesBottom)}"/>`);

  // Under the lanes: what the axis means, then what was left out.
  const captionY = y + 4;
  t.add(labels.rulerCaption, {
    x: geo.originX,
    y: captionY,
    size: 11,
    font: 'ui',
    anchor: 'start',
    cls: 'muted small',
  });
  let height = captionY + 14;
  const hiddenSources = plan.counts.sources.total - plan.counts.sources.shown;
  const hiddenResets = plan.counts.resets.total - plan.counts.resets.shown;
  if (hiddenSources + hiddenResets > 0) {
    height += 20;
    t.add(labels.moreLanes(hiddenSources, hiddenResets), {
      x: 16,
      y: height - 14,
      size: 12,
      font: 'ui',
      anchor: 'start',
      cls: 'muted',
    });
  }

  const width = Math.ceil(Math.max(rulerEnd + 24, ...t.boxes.map((b) => b.x + b.width + 16)));
  height = Math.ceil(height);
  const markup = [
    `<svg class="hop-map" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(labels.ariaLabel(map))}">`,
    ...grid,
    ...paths,
    ...claims,
    ...ruler,
    ...markers,
    ...t.markup,
    '</svg>',
  ].join('\n');
  return { markup, boxes: t.boxes, counts: plan.counts, width, height };
}

function nearestTo(hops: number, candidates: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const c of candidates) if (best === undefined || Math.abs(c - hops) < Math.abs(best - hops)) best = c;
  return best;
}
