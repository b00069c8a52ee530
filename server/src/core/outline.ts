import type { Analysis } from './analyze';
import { describeConversation, describeHopHint, describeSummary } from './describe';
import type { Locale } from './options';
import { endpoint } from './flows';
import { isReset } from './packet';
import { inferInitialTtl } from './ttl';

/* What the editor shows around the text: conversation outline, a summary lens, hop hints. */

export interface ConversationSymbol {
  name: string;
  detail: string;
  /**
   * The lines of one contiguous run of the conversation's own packets (no other conversation's
   * packet in between), so no two symbols overlap and an RST's warning lands on its own
   * conversation: the run holding its last suspicious RST, else its last RST, else its last packet.
   */
  startLine: number;
  endLine: number;
  endCharacter: number;
  /** The anchor packet's first line (inside the range): where the Outline jumps to. */
  selectionLine: number;
  selectionEnd: number;
  ending: 'fin' | 'genuine-reset' | 'suspicious-reset' | 'open' | 'none';
}

/**
 * One symbol per conversation: TCP flows by address/port pair, other protocols by address pair.
 * Conversations interleave, so a symbol cannot span from a conversation's first packet to its last
 * without covering others' packets (and taking their warnings): its range is one run of its own
 * consecutive packets, the one around its anchor (the last suspicious RST, else the last RST, else
 * the last packet). LSP wants the selection inside the range, so the Outline jumps to the anchor.
 */
export function conversations(a: Analysis, locale: Locale = 'en'): ConversationSymbol[] {
  const out: ConversationSymbol[] = [];
  const seen = new Map<
    string,
    {
      /** The packet the symbol is anchored on, and how strongly (2 suspicious RST, 1 RST, 0 any). */
      anchor: number;
      anchorRank: number;
      count: number;
      proto: string;
      name: string;
      resetVerdict?: 'genuine' | 'suspicious';
      fin: boolean;
    }
  >();
  // Each packet's conversation, to find the run of consecutive packets around an anchor.
  const keyOf: unknown[] = new Array<unknown>(a.packets.length);
  for (const p of a.packets) {
    const x = endpoint(p.src, p.srcPort);
    const y = endpoint(p.dst, p.dstPort);
    const proto = p.proto ?? 'IP';
    const key = `${proto} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
    let c = seen.get(key);
    if (!c) {
      c = {
        anchor: p.index,
        anchorRank: 0,
        count: 0,
        proto,
        name: `${proto} ${x} → ${y}`,
        fin: false,
      };
      seen.set(key, c);
    }
    keyOf[p.index] = c;
    c.count++;
    let rank = 0;
    if (isReset(p)) {
      const v = a.verdictByPacket.get(p.index);
      rank = v?.status === 'suspicious' ? 2 : 1;
      c.resetVerdict = v?.status === 'suspicious' || c.resetVerdict === 'suspicious' ? 'suspicious' : 'genuine';
    } else if (p.flags?.includes('F')) c.fin = true;
    if (rank >= c.anchorRank) {
      c.anchor = p.index;
      c.anchorRank = rank;
    }
  }
  for (const c of seen.values()) {
    let from = c.anchor;
    while (from > 0 && keyOf[from - 1] === c) from--;
    let to = c.anchor;
    while (to + 1 < a.packets.length && keyOf[to + 1] === c) to++;
    const first = a.packets[from];
    const last = a.packets[to];
    const anchor = a.packets[c.anchor];
    const ending =
      c.proto !== 'TCP'
        ? 'none'
        : c.resetVerdict === 'suspicious'
          ? 'suspicious-reset'
          : c.resetVerdict === 'genuine'
            ? 'genuine-reset'
            : c.fin
              ? 'fin'
              : 'open';
    out.push({
      name: c.name,
      detail: describeConversation(locale, { packets: c.count, ending }),
      startLine: first.startLine,
      endLine: last.endLine,
      endCharacter: last.endLineLength,
      selectionLine: anchor.startLine,
      selectionEnd: a.lines[anchor.startLine].length,
      ending,
    });
  }
  return out;
}

/** The code lens text for the document's first packet line, or undefined for a document with no packets. */
export function documentSummary(a: Analysis, locale: Locale = 'en'): { line: number; text: string } | undefined {
  if (a.packets.length === 0) return undefined;
  const suspicious = a.verdicts.filter((v) => v.status === 'suspicious');
  const sources = new Set(a.packets.map((p) => p.src));
  return {
    line: a.packets[0].startLine,
    text: describeSummary(locale, {
      suspicious: suspicious.length,
      suspiciousSources: new Set(suspicious.map((v) => v.source)).size,
      packets: a.packets.length,
      sources: sources.size,
    }),
  };
}

export interface HopHint {
  line: number;
  character: number;
  label: string;
}

/** `≈3 hops` after each TTL value on lines [fromLine, toLine]; looked up by line, never by scanning all packets. */
export function hopHints(a: Analysis, fromLine: number, toLine: number, locale: Locale = 'en'): HopHint[] {
  const out: HopHint[] = [];
  const last = Math.min(toLine, a.packetAtLine.length - 1);
  let previous = -1;
  for (let line = Math.max(0, fromLine); line <= last; line++) {
    const idx = a.packetAtLine[line];
    if (idx < 0 || idx === previous) continue;
    previous = idx;
    const p = a.packets[idx];
    if (p.ttl === undefined || !p.ttlRange || p.ttlRange.line < fromLine || p.ttlRange.line > last) continue;
    const initial = inferInitialTtl(p.ttl, a.options.initialTtls);
    if (initial === undefined) continue;
    out.push({
      line: p.ttlRange.line,
      character: p.ttlRange.end,
      label: describeHopHint(locale, initial - p.ttl),
    });
  }
  return out;
}
