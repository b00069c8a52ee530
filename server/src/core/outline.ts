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
  startLine: number;
  endLine: number;
  endCharacter: number;
  /** The first packet's line: where the Outline jumps to. */
  selectionLine: number;
  selectionEnd: number;
  ending: 'fin' | 'genuine-reset' | 'suspicious-reset' | 'open' | 'none';
}

/** One symbol per conversation: TCP flows by address/port pair, other protocols by address pair. */
export function conversations(a: Analysis, locale: Locale = 'en'): ConversationSymbol[] {
  const out: ConversationSymbol[] = [];
  const seen = new Map<
    string,
    {
      first: number;
      last: number;
      count: number;
      proto: string;
      name: string;
      resetVerdict?: 'genuine' | 'suspicious';
      fin: boolean;
    }
  >();
  for (const p of a.packets) {
    const x = endpoint(p.src, p.srcPort);
    const y = endpoint(p.dst, p.dstPort);
    const proto = p.proto ?? 'IP';
    const key = `${proto} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
    let c = seen.get(key);
    if (!c) {
      c = { first: p.index, last: p.index, count: 0, proto, name: `${proto} ${x} → ${y}`, fin: false };
      seen.set(key, c);
    }
    c.last = p.index;
    c.count++;
    if (isReset(p)) {
      const v = a.verdictByPacket.get(p.index);
      c.resetVerdict = v?.status === 'suspicious' || c.resetVerdict === 'suspicious' ? 'suspicious' : 'genuine';
    } else if (p.flags?.includes('F')) c.fin = true;
  }
  for (const c of seen.values()) {
    const first = a.packets[c.first];
    const last = a.packets[c.last];
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
      selectionLine: first.startLine,
      selectionEnd: a.lines[first.startLine].length,
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
