import type { Analysis } from './analyze';
import { describeAddressHover, describePacketHover } from './describe';
import type { Locale } from './options';
import type { Packet } from './packet';
import { inferInitialTtl } from './ttl';

export interface HoverResult {
  markdown: string;
  /** 0-based line and [start, end) characters the hover applies to. */
  line: number;
  start: number;
  end: number;
  /** The packet hovered, when the hover is about a whole packet. */
  packet?: Packet;
}

const ADDRESS_CHAR = /[0-9A-Za-z.:_%-]/;

/**
 * Where `address` stands as a whole token on `text`, or -1. Every occurrence is found in one
 * left-to-right pass (Knuth–Morris–Pratt): an indexOf from each failed occurrence re-compares the
 * whole address each time, quadratic when a long address repeats overlapping itself (`aaa…`).
 */
function tokenAt(text: string, address: string): number {
  const m = address.length;
  if (m === 0) return -1;
  // border[i]: length of the longest proper prefix of address[0..i] that is also its suffix.
  const border = new Int32Array(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && address.charCodeAt(i) !== address.charCodeAt(k)) k = border[k - 1];
    if (address.charCodeAt(i) === address.charCodeAt(k)) k++;
    border[i] = k;
  }
  for (let i = 0, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== address.charCodeAt(k)) k = border[k - 1];
    if (text.charCodeAt(i) === address.charCodeAt(k)) k++;
    if (k < m) continue;
    const at = i - m + 1;
    if (isWholeToken(text, at, m)) return at;
    k = border[k - 1];
  }
  return -1;
}

/** "10.0.0.1" must not match inside "110.0.0.1"; a following ".port" is fine. */
function isWholeToken(text: string, at: number, length: number): boolean {
  const before = at === 0 ? '' : text[at - 1];
  const after = text[at + length] ?? '';
  return !ADDRESS_CHAR.test(before) && (after === '' || after === '.' || after === ':' || !ADDRESS_CHAR.test(after));
}

/** The hover at a position: an address gets its TTL histogram; anywhere else on a packet, the packet's story. */
export function hoverAt(a: Analysis, line: number, character: number, locale: Locale = 'en'): HoverResult | undefined {
  if (line < 0 || line >= a.packetAtLine.length) return undefined;
  const idx = a.packetAtLine[line];
  if (idx < 0) return undefined;
  const packet = a.packets[idx];
  const text = a.lines[line];
  for (const address of [packet.src, packet.dst]) {
    const at = tokenAt(text, address);
    if (at >= 0 && character >= at && character < at + address.length) {
      const markdown = describeAddressHover(locale, address, a.baselines.get(address), (i) => a.packets[i].startLine);
      return { markdown, line, start: at, end: at + address.length };
    }
  }
  const verdict = a.verdictByPacket.get(idx);
  if (packet.ttl === undefined && !verdict) return undefined;
  const initialTtl = packet.ttl === undefined ? undefined : inferInitialTtl(packet.ttl, a.options.initialTtls);
  const markdown = describePacketHover({
    packet,
    verdict,
    initialTtl,
    hops: initialTtl === undefined ? undefined : initialTtl - packet.ttl!,
    baseline: a.baselines.get(packet.src),
    device: a.findings.find((f) => f.packet === idx && f.device !== undefined)?.device,
    lineOf: (i) => ({ line: a.packets[i].startLine, text: a.lines[a.packets[i].startLine] }),
    locale,
  });
  return { markdown, line: packet.startLine, start: 0, end: packet.endLineLength, packet };
}
