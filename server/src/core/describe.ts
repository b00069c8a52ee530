import type { SourceBaseline } from './baseline';
import type { Locale } from './options';
import type { Packet } from './packet';
import type { ResetVerdict } from './verdict';

/* All user-facing wording, English and Japanese. Nothing here decides; it only says. */

const hopsEn = (n: number): string => `${n} ${Math.abs(n) === 1 ? 'hop' : 'hops'}`;
const hopsJa = (n: number): string => `${n} ホップ`;

function range(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = values[0];
  const hi = values[values.length - 1];
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

function baselineHopsText(b: SourceBaseline, locale: Locale): string {
  const lo = b.minHops;
  const hi = b.maxHops;
  if (locale === 'ja') return lo === hi ? hopsJa(lo) : `${lo}–${hi} ホップ`;
  return lo === hi ? hopsEn(lo) : `${lo}–${hi} hops`;
}

/** The diagnostic message for a suspicious RST, like the article's answer. */
export function describeSuspiciousReset(v: ResetVerdict, locale: Locale): string {
  const b = v.baseline!;
  const ttl = v.ttl!;
  const initial = v.initialTtl!;
  const hops = v.hops!;
  const before = v.hopsBeforeSender!;
  const ttls = range(b.ttls);
  if (locale === 'ja') {
    const where = before > 0
      ? `${v.source} の ${hopsJa(before)}手前にある機器 (ファイアウォールかロードバランサー?) が送った可能性が高いです。`
      : `${v.source} より ${hopsJa(-before)}遠い所から送られており、そのホスト自身が送ったものではなさそうです。`;
    return `この RST は ${v.source} から来たことになっていますが、TTL ${ttl} (初期値 ${initial}、${hopsJa(hops)}) で届きました。同じホストの他のパケットは TTL ${ttls} (${baselineHopsText(b, locale)}) で届いています。${where}`;
  }
  const where = before > 0
    ? `A device ${hopsEn(before)} before ${v.source} — a firewall or load balancer? — likely sent it.`
    : `It came from ${hopsEn(-before)} beyond ${v.source}: that host likely did not send it.`;
  return `RST claims to come from ${v.source} but arrived with TTL ${ttl} (initial ${initial}, ${hopsEn(hops)}); that host's other packets arrive with TTL ${ttls} (${baselineHopsText(b, locale)}). ${where}`;
}

export function describeBaselineRelated(locale: Locale, source: string, ttl: number, hops: number): string {
  return locale === 'ja'
    ? `${source} の RST 以外のパケット: TTL ${ttl} (${hopsJa(hops)})`
    : `${source}'s own packet: TTL ${ttl} (${hopsEn(hops)})`;
}

export function describeNoTtl(locale: Locale): string {
  return locale === 'ja'
    ? 'このキャプチャには TTL がありません (IP ヘッダーの詳細が出力されていません)。RST を誰が送ったかを調べるには `tcpdump -v` で取り直してください。'
    : 'This capture has no TTLs: tcpdump printed no IP header details. Capture again with `tcpdump -v` so tcpdump Lens can tell who sent each RST.';
}

// ---------------------------------------------------------------------------------------------
// Hovers (Markdown). Capture text is untrusted: it only ever appears inside code spans/blocks,
// fenced with more backticks than it contains, so it cannot become a link, HTML or a command.

/** Wraps untrusted text as an inline code span that renders it literally. */
export function codeSpan(text: string): string {
  const clipped = text.length > 160 ? `${text.slice(0, 157)}...` : text;
  let longest = 0;
  for (const run of clipped.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = clipped.startsWith('`') || clipped.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clipped.replace(/\s+/g, ' ')}${pad}${fence}`;
}

export interface HoverContext {
  packet: Packet;
  verdict?: ResetVerdict;
  initialTtl?: number;
  hops?: number;
  baseline?: SourceBaseline;
  /** Text of a packet's first line, 0-based packet index → text. */
  lineOf: (packetIndex: number) => { line: number; text: string };
  locale: Locale;
}

function ttlLine(ctx: HoverContext): string {
  const { packet: p, initialTtl, hops, locale } = ctx;
  const what = p.family === 6 ? (locale === 'ja' ? 'ホップリミット' : 'hop limit') : 'TTL';
  if (initialTtl === undefined || hops === undefined) {
    return locale === 'ja'
      ? `${what} **${p.ttl}**: どの初期値より大きいためホップ数は不明です。`
      : `${what} **${p.ttl}**: above every configured initial TTL, so the hop count is unknown.`;
  }
  return locale === 'ja'
    ? `${what} **${p.ttl}** → 初期値 **${initialTtl}** → キャプチャ地点から **${hopsJa(hops)}**`
    : `${what} **${p.ttl}** → initial **${initialTtl}** → **${hopsEn(hops)}** from the capture point`;
}

function baselineSummary(b: SourceBaseline, locale: Locale): string {
  const parts = [...b.byHops.entries()].map(([h, idx]) =>
    locale === 'ja' ? `${hopsJa(h)}: ${idx.length} パケット` : `${hopsEn(h)}: ${idx.length} ${idx.length === 1 ? 'packet' : 'packets'}`);
  return locale === 'ja'
    ? `${codeSpan(b.source)} の RST 以外のパケット ${b.packets.length} 個 — ${parts.join('、')}`
    : `${codeSpan(b.source)}'s non-RST packets: ${b.packets.length} — ${parts.join(', ')}`;
}

function baselineLines(b: SourceBaseline, ctx: HoverContext, limit = 6): string[] {
  const out: string[] = [];
  for (const idx of b.packets.slice(0, limit)) {
    const { line, text } = ctx.lineOf(idx);
    out.push(`- ${ctx.locale === 'ja' ? '行' : 'line'} ${line + 1}: ${codeSpan(text)}`);
  }
  if (b.packets.length > limit) {
    const more = b.packets.length - limit;
    out.push(ctx.locale === 'ja' ? `- … ほか ${more} 行` : `- … and ${more} more`);
  }
  return out;
}

/** Markdown for a hover on a packet that carries a TTL. */
export function describePacketHover(ctx: HoverContext): string {
  const { verdict: v, locale } = ctx;
  const out: string[] = [];
  if (v?.status === 'suspicious') {
    out.push(locale === 'ja' ? '**⚠ 偽造された RST の疑い — TTL が送信元の距離と合いません**' : '**⚠ Likely forged RST — its TTL does not match its claimed sender**');
    out.push('');
    out.push(ttlLine(ctx));
    out.push('');
    out.push(describeSuspiciousReset(v, locale));
    out.push('');
    out.push(baselineSummary(v.baseline!, locale));
    out.push(...baselineLines(v.baseline!, ctx));
    return out.join('\n');
  }
  out.push(ttlLine(ctx));
  if (v?.status === 'consistent') {
    out.push('');
    out.push(locale === 'ja'
      ? `この RST は ${codeSpan(v.source)} の他のパケットと同じ距離 (${hopsJa(v.hops!)}) から届いています。ホスト自身が送ったと考えられます。`
      : `This RST arrived from the same distance (${hopsEn(v.hops!)}) as ${codeSpan(v.source)}'s other packets: the host itself likely sent it.`);
  } else if (v?.status === 'no-baseline') {
    out.push('');
    out.push(locale === 'ja'
      ? `${codeSpan(v.source)} の他のパケットに TTL がないため、この RST と比べるものがありません。`
      : `No other packet from ${codeSpan(v.source)} in this capture carries a TTL, so there is nothing to compare this RST with.`);
  }
  if (ctx.baseline && v?.status !== 'no-baseline') {
    out.push('');
    out.push(baselineSummary(ctx.baseline, locale));
  }
  return out.join('\n');
}
