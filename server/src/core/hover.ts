import type { Analysis } from './analyze';
import { describeAddressHover, describePacketHover } from './describe';
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

/** Where `address` stands as a whole token on `text`, searching from `from`. */
function tokenAt(text: string, address: string, from: number): number {
  let at = text.indexOf(address, from);
  while (at >= 0) {
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + address.length] ?? '';
    // "10.0.0.1" must not match inside "110.0.0.1"; a following ".port" is fine.
    if (!ADDRESS_CHAR.test(before) && (after === '' || after === '.' || after === ':' || !ADDRESS_CHAR.test(after)))
      return at;
    at = text.indexOf(address, at + 1);
  }
  return -1;
}

/** The hover at a position: an address gets its TTL histogram; anywhere else on a packet, the packet's story. */
export function hoverAt(a: Analysis, line: number, character: number): HoverResult | undefined {
  if (line < 0 || line >= a.packetAtLine.length) return undefined;
  const idx = a.packetAtLine[line];
  if (idx < 0) return undefined;
  const packet = a.packets[idx];
  const text = a.lines[line];
  for (const address of [packet.src, packet.dst]) {
    const at = tokenAt(text, address, 0);
    if (at >= 0 && character >= at && character < at + address.length) {
      const markdown = describeAddressHover(
        a.options.locale,
        address,
        a.baselines.get(address),
        (i) => a.packets[i].startLine,
      );
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
    lineOf: (i) => ({ line: a.packets[i].startLine, text: a.lines[a.packets[i].startLine] }),
    locale: a.options.locale,
  });
  return { markdown, line: packet.startLine, start: 0, end: packet.endLineLength, packet };
}
