import type { Finding, RelatedLocation } from './analyze';
import type { DistanceBaseline, SourceBaseline } from './baseline';
import type { Evidence } from './evidence';
import type { Locale } from './options';
import type { Packet } from './packet';
import type { Confidence, ResetVerdict } from './verdict';

/* All user-facing wording, English and Japanese. Nothing here decides; it only says. */

type Words = Record<Locale, string>;

const hops = (n: number, locale: Locale): string =>
  locale === 'ja' ? `${n} ホップ` : `${n} ${Math.abs(n) === 1 ? 'hop' : 'hops'}`;

function span(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = values[0];
  const hi = values[values.length - 1];
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

function hopSpan(b: DistanceBaseline, locale: Locale): string {
  if (b.minHops === b.maxHops) return hops(b.minHops, locale);
  return locale === 'ja' ? `${b.minHops}–${b.maxHops} ホップ` : `${b.minHops}–${b.maxHops} hops`;
}

const CONFIDENCE: Record<Confidence, Words> = {
  high: { en: 'high', ja: '高' },
  medium: { en: 'medium', ja: '中' },
  low: { en: 'low', ja: '低' },
};

const STRENGTH: Record<Evidence['strength'], Words> = {
  conclusive: { en: 'conclusive', ja: '決定的' },
  strong: { en: 'strong', ja: '強' },
  moderate: { en: 'moderate', ja: '中' },
  weak: { en: 'weak', ja: '弱' },
};

/** The hop evidence: its claimed sender's own distance (the RST's own numbers are said once, elsewhere). */
function hopSentence(v: ResetVerdict, locale: Locale, quote: Quote): string {
  const b = v.compared!;
  const source = quote(v.source);
  const ttls = span(b.ttls);
  if (locale === 'ja') {
    return `${source} の他のパケットは TTL ${ttls} (${hopSpan(b, locale)}) で届いていますが、この RST は ${hops(v.hops!, locale)}先からです。`;
  }
  return `${source}'s other packets arrive with TTL ${ttls} (${hopSpan(b, locale)}); this RST from ${hops(v.hops!, locale)}.`;
}

/**
 * How untrusted capture text (addresses, host names, MACs) enters a sentence: as is in plain-text
 * diagnostics, as a code span in Markdown hovers, where a host name could otherwise be a link.
 */
export type Quote = (untrusted: string) => string;
export const asPlainText: Quote = (untrusted) => untrusted;

/** One sentence per piece of evidence. */
export function describeEvidence(e: Evidence, v: ResetVerdict, locale: Locale, quote: Quote = asPlainText): string {
  const f = e.facts;
  const ja = locale === 'ja';
  const src = quote(v.source);
  switch (e.kind) {
    case 'hop-mismatch':
      return hopSentence(v, locale, quote);
    case 'mac-mismatch':
      return ja
        ? `送信元 MAC ${quote(String(f.mac))} は ${src} の他のパケットの MAC (${quote(String(f.knownMacs))}) と違います。このセグメント上の別の機器が送りました。`
        : `Its source MAC ${quote(String(f.mac))} is not the one ${src}'s other packets carry (${quote(String(f.knownMacs))}): another device on this segment sent it.`;
    case 'initial-ttl-mismatch':
      if (f.ownKernel === true)
        return ja
          ? `TTL ${v.ttl} は初期値 ${f.initialTtl} から始まり、${src} の他のパケット (初期値 ${f.baselineInitialTtls}) と同じ距離から届いています。アプリケーションが TTL を指定し、カーネルの RST は OS の既定値を使うホストの典型です (偽造ではありません)。`
          : `Its TTL ${v.ttl} starts from ${f.initialTtl} at the same distance as ${src}'s other packets (which start from ${f.baselineInitialTtls}): a host whose application sets its own TTL while its kernel's RSTs use the OS default — not a forgery.`;
      return ja
        ? `TTL ${v.ttl} は初期値 ${f.initialTtl} から始まっていますが、${src} の${f.comparedWith === 'tcp' ? ' TCP ' : '他の'}パケットは初期値 ${f.baselineInitialTtls} です。別のネットワークスタックが送っています。`
        : `Its TTL ${v.ttl} starts from ${f.initialTtl}, while ${src}'s ${f.comparedWith === 'tcp' ? 'TCP' : 'other'} packets start from ${f.baselineInitialTtls}: a different network stack sent it.`;
    case 'handshake-hop-mismatch':
      return ja
        ? `この会話で ${src} のハンドシェイクは ${hops(Number(f.handshakeHops), locale)} (TTL ${f.handshakeTtl}) から届きましたが、この RST は ${hops(Number(f.hops), locale)} から届いています。接続を開いたのとは別の機器が送りました。`
        : `In this conversation ${src}'s handshake arrived from ${hops(Number(f.handshakeHops), locale)} (TTL ${f.handshakeTtl}), this RST from ${hops(Number(f.hops), locale)}: another device than the one that opened the connection sent it.`;
    case 'two-senders':
      return ja
        ? `この接続では ${src} を名乗る RST が 2 つの距離から届いています。SYN を拒否した ${hops(Number(f.hostHops), locale)}先 (TTL ${f.hostTtl}) がホストのカーネルで、この RST (${hops(Number(f.hops), locale)}) は手前の機器が送りました。`
        : `RSTs claiming ${src} arrive from two distances in this connection: the one refusing the SYN from ${hops(Number(f.hostHops), locale)} (TTL ${f.hostTtl}) is the host's kernel; this one, from ${hops(Number(f.hops), locale)}, was sent by a device in between.`;
    case 'rst-seq-data':
      return ja
        ? `${src} はこの RST の後もデータを送り続けています (${f.count} パケット)。自分で接続をリセットしてはいません。`
        : `${src} kept sending data after this RST (${f.count} ${f.count === 1 ? 'packet' : 'packets'}): it did not reset the connection itself.`;
    case 'data-seq-rst':
      return ja
        ? `シーケンス番号 ${f.seq} は ${src} が既に送ったデータ (${f.sentUpTo} まで) より後ろにあります。`
        : `Its sequence number ${f.seq} lies behind data ${src} had already sent (up to ${f.sentUpTo}).`;
    case 'rst-seq-change':
      return ja
        ? `シーケンス番号が増えていく ${f.count} 個の連続した RST の一つです (ウィンドウを狙う注入装置の特徴)。`
        : `It is one of ${f.count} back-to-back RSTs with growing sequence numbers, the pattern of an injector aiming at the window.`;
    case 'rst-ack-change':
      return ja
        ? `確認応答番号が変わる ${f.count} 個の連続した RST の一つです。`
        : `It is one of ${f.count} back-to-back RSTs with changing acknowledgement numbers.`;
    case 'burst-ttl-change':
      return ja
        ? `同じ連続 RST の中で TTL が違います (${f.ttls})。送信元が複数あります。`
        : `RSTs of the same burst arrive with different TTLs (${f.ttls}): more than one sender.`;
    case 'reset-both-ends':
      return ja
        ? `会話の両端が同時にリセットされています (注入装置の手口)。`
        : 'Both ends of the conversation were reset at the same moment, as an injector does.';
    case 'rst-burst':
      return ja ? `${f.count} 個の RST の連続の一部です。` : `It is part of a burst of ${f.count} RSTs.`;
    case 'nonzero-window':
      return ja
        ? `ウィンドウ ${f.win} を通知しています。端末の RST は普通 0 です。`
        : `It advertises a window of ${f.win}; end hosts' RSTs usually carry 0.`;
    case 'rst-payload':
      return ja
        ? `${f.length} バイトのペイロードを運んでいます (中継装置の理由文?)。`
        : `It carries ${f.length} bytes of payload (a middlebox's reason text?).`;
    case 'tos-mismatch':
      return ja
        ? `TOS ${f.tos} が ${src} の TCP パケット (${f.baselineTos}) と違います。`
        : `Its TOS ${f.tos} differs from ${src}'s TCP packets (${f.baselineTos}).`;
    case 'df-mismatch':
      return ja
        ? `DF ビットが${f.df ? '立って' : '落ちて'}いて、${src} の他の TCP パケットと違います。`
        : `Its DF bit is ${f.df ? 'set' : 'clear'}, unlike ${src}'s other TCP packets.`;
    case 'ip-id-mismatch':
      return f.pattern === 'zero'
        ? ja
          ? `IP ID ${f.ipId} は ${src} の ID 0 の規則を破っています。`
          : `Its IP ID ${f.ipId} breaks ${src}'s pattern of ID 0.`
        : ja
          ? `IP ID ${f.ipId} は ${src} の ID カウンター (${f.range}) から遠く離れています。`
          : `Its IP ID ${f.ipId} is far from ${src}'s ID counter (${f.range}).`;
  }
}

/** An RST's connection as the peer that received it sees it: `peer:port → claimed host:port`. */
export interface ResetEndpoints {
  src?: string;
  dst?: string;
  srcPort?: string;
  dstPort?: string;
}

function endpointText(address: string, port: string | undefined): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** What the strongest evidence concludes, in a few words (the numbers once). */
function leadConclusion(v: ResetVerdict, ja: boolean, quote: Quote): string {
  const lead = v.evidence[0];
  const f = lead.facts;
  const src = quote(v.source);
  const h = (n: number): string => hops(n, ja ? 'ja' : 'en');
  switch (lead.kind) {
    case 'hop-mismatch': {
      const before = v.hopsBeforeSender!;
      if (ja)
        return before > 0
          ? `${h(v.hops!)}先の機器が送信、${src} の ${h(before)}手前`
          : `${h(v.hops!)}先から送信、${src} より ${h(-before)}遠い`;
      return before > 0
        ? `sent by a device ${h(v.hops!)} away, ${h(before)} before ${src}`
        : `sent from ${h(v.hops!)} away, ${h(-before)} beyond ${src}`;
    }
    case 'initial-ttl-mismatch':
      return ja
        ? `別のスタックが送信 (初期 TTL ${f.initialTtl}、${src} は ${f.baselineInitialTtls})`
        : `sent by another stack (initial TTL ${f.initialTtl}; ${src}'s packets start from ${f.baselineInitialTtls})`;
    case 'mac-mismatch':
      return ja
        ? `MAC ${quote(String(f.mac))} から送信 (${src} は ${quote(String(f.knownMacs))})`
        : `sent from MAC ${quote(String(f.mac))}, not ${src}'s ${quote(String(f.knownMacs))}`;
    case 'handshake-hop-mismatch':
      return ja
        ? `${h(Number(f.hops))}先の機器が送信 (この接続の SYN-ACK は ${h(Number(f.handshakeHops))}先)`
        : `sent by a device ${h(Number(f.hops))} away, not the one that answered the SYN (${h(Number(f.handshakeHops))})`;
    case 'two-senders':
      return ja
        ? `${h(Number(f.hops))}先の機器が送信 (${src} 自身の拒否は ${h(Number(f.hostHops))}先)`
        : `sent by a device ${h(Number(f.hops))} away; ${src}'s own refusal came from ${h(Number(f.hostHops))}`;
    default:
      return describeEvidence(lead, v, ja ? 'ja' : 'en', quote).replace(/[.。]$/, '');
  }
}

/**
 * The one-row conclusion for a suspicious RST: the verdict, where the real sender sits (or the
 * strongest evidence), the device and how sure, then the connection — e.g. `Forged RST: sent by a
 * device 1 hop away, 2 hops before 192.168.40.129 (device #1, medium) — 192.168.31.128:49169 →
 * 192.168.40.129:22`.
 */
export function describeConclusion(
  v: ResetVerdict,
  at: ResetEndpoints,
  locale: Locale,
  device?: number,
  quote: Quote = asPlainText,
): string {
  const ja = locale === 'ja';
  const c = CONFIDENCE[v.confidence!][locale];
  const on =
    at.src !== undefined && at.dst !== undefined
      ? quote(`${endpointText(at.dst, at.dstPort)} → ${endpointText(at.src, at.srcPort)}`)
      : quote(v.source);
  const icmpOnly = v.evidence.some((e) => e.kind === 'hop-mismatch' && e.facts.icmpOnly === true);
  const how = ja
    ? [device !== undefined ? `デバイス #${device}` : '', `確信度 ${c}`, icmpOnly ? 'ICMP とだけ比較' : '']
        .filter(Boolean)
        .join('、')
    : [device !== undefined ? `device #${device}` : '', c, icmpOnly ? 'against its ICMP packets only' : '']
        .filter(Boolean)
        .join(', ');
  const held =
    v.provisional === 'one-connection-baseline'
      ? ja
        ? ` — まだ不明: ${quote(v.source)} の距離を示しているのは別の接続 1 つだけです (接続ごとの負荷分散なら経路は接続ごとに違います)`
        : ` — still unknown: only one other connection of ${quote(v.source)} shows its distance so far (per-connection load balancing gives each connection its own path)`
      : '';
  const verdict =
    v.confidence === 'low'
      ? ja
        ? '偽造かもしれない RST'
        : 'Possibly forged RST'
      : ja
        ? '偽造された RST'
        : 'Forged RST';
  // The conclusion first: a Problems row or a narrow terminal cuts the end off, never the answer.
  return `${verdict}: ${leadConclusion(v, ja, quote)} (${how}) — ${on}${held}`;
}

export function describeBaselineRelated(locale: Locale, source: string, ttl: number, hopCount: number): string {
  return locale === 'ja'
    ? `${source} の RST 以外のパケット: TTL ${ttl} (${hops(hopCount, locale)})`
    : `${source}'s own packet: TTL ${ttl} (${hops(hopCount, locale)})`;
}

export function describeNoTtl(locale: Locale): string {
  return locale === 'ja'
    ? 'このキャプチャには TTL がありません (IP ヘッダーの詳細が出力されていません)。RST を誰が送ったかを調べるには `tcpdump -v` で取り直してください。'
    : 'This capture has no TTLs: tcpdump printed no IP header details. Capture again with `tcpdump -v` so tcpdump Lens can tell who sent each RST.';
}

export function describeChecksumOffload(locale: Locale, source: string, count: number): string {
  return locale === 'ja'
    ? `${source} が送ったパケット ${count} 個のチェックサムが不正と表示されていますが、${source} はキャプチャしているホスト自身 (0 ホップ) です。チェックサムオフロードでは正常です (NIC が送信時に計算するため、キャプチャ時点では未計算)。`
    : `tcpdump marks the checksums of ${count} ${count === 1 ? 'packet' : 'packets'} from ${source} as bad, but ${source} is the capturing host itself (0 hops): with checksum offloading that is normal — the NIC fills the checksum in after the capture point sees the packet.`;
}

export function describeSummary(
  locale: Locale,
  s: { suspicious: number; suspiciousSources: number; packets: number; sources: number },
): string {
  if (locale === 'ja') {
    return `偽造の疑いがある RST ${s.suspicious} 個 (送信元 ${s.suspiciousSources}) · パケット ${s.packets} 個 · 送信元 ${s.sources}`;
  }
  const pl = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${pl(s.suspicious, 'suspicious RST')} from ${pl(s.suspiciousSources, 'source')} · ${pl(s.packets, 'packet')} · ${pl(s.sources, 'source')}`;
}

export function describeHopHint(locale: Locale, hopCount: number): string {
  return locale === 'ja' ? `≈${hopCount} ホップ` : `≈${hops(hopCount, locale)}`;
}

export function describeConversation(
  locale: Locale,
  c: { packets: number; ending: 'fin' | 'genuine-reset' | 'suspicious-reset' | 'open' | 'none' },
): string {
  const endings: Record<typeof c.ending, Words> = {
    fin: { en: 'closed by FIN', ja: 'FIN で終了' },
    'genuine-reset': { en: 'reset by an end host', ja: '端末が RST で終了' },
    'suspicious-reset': { en: 'reset by a suspicious RST', ja: '偽造の疑いがある RST で終了' },
    open: { en: 'still open', ja: '未終了' },
    none: { en: '', ja: '' },
  };
  const n = locale === 'ja' ? `${c.packets} パケット` : `${c.packets} ${c.packets === 1 ? 'packet' : 'packets'}`;
  const e = endings[c.ending][locale];
  return e ? `${n} · ${e}` : n;
}

// ---------------------------------------------------------------------------------------------
// Hovers (Markdown). Capture text is untrusted: it only ever appears inside code spans, fenced
// with more backticks than it contains, so it cannot become a link, HTML or a command.

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
  /** The suspected device the RST's finding names. */
  device?: number;
  /** 0-based first line and its text, for a packet index. */
  lineOf: (packetIndex: number) => { line: number; text: string };
  locale: Locale;
}

function ttlLine(ctx: HoverContext): string {
  const { packet: p, initialTtl, hops: h, locale } = ctx;
  const what = p.family === 6 ? (locale === 'ja' ? 'ホップリミット' : 'hop limit') : 'TTL';
  if (initialTtl === undefined || h === undefined) {
    return locale === 'ja'
      ? `${what} **${p.ttl}**: どの初期値より大きいためホップ数は不明です。`
      : `${what} **${p.ttl}**: above every configured initial TTL, so the hop count is unknown.`;
  }
  return locale === 'ja'
    ? `${what} **${p.ttl}** → 初期値 **${initialTtl}** → キャプチャ地点から **${hops(h, locale)}**`
    : `${what} **${p.ttl}** → initial **${initialTtl}** → **${hops(h, locale)}** from the capture point`;
}

function baselineSummary(b: SourceBaseline, locale: Locale): string {
  const parts = [...b.countByHops.entries()].map(([h, n]) =>
    locale === 'ja'
      ? `${hops(h, locale)}: ${n} パケット`
      : `${hops(h, locale)}: ${n} ${n === 1 ? 'packet' : 'packets'}`,
  );
  return locale === 'ja'
    ? `${codeSpan(b.source)} の RST 以外のパケット ${b.count} 個 — ${parts.join('、')}`
    : `${codeSpan(b.source)}'s non-RST packets: ${b.count} — ${parts.join(', ')}`;
}

/** The first `limit` of `indices` as lines; `total`: how many there are in all (the list may name fewer). */
function packetLines(indices: readonly number[], total: number, ctx: HoverContext, limit = 6): string[] {
  const out: string[] = [];
  for (const idx of indices.slice(0, limit)) {
    const { line, text } = ctx.lineOf(idx);
    out.push(`- ${ctx.locale === 'ja' ? '行' : 'line'} ${line + 1}: ${codeSpan(text)}`);
  }
  if (total > limit) {
    const more = total - limit;
    out.push(ctx.locale === 'ja' ? `- … ほか ${more} 行` : `- … and ${more} more`);
  }
  return out;
}

/** Markdown for a hover on a packet: its TTL story, and on an RST the verdict with every signal. */
export function describePacketHover(ctx: HoverContext): string {
  const { verdict: v, locale, packet: p } = ctx;
  const out: string[] = [];
  if (v?.status === 'suspicious') {
    // One story: the conclusion first (what a narrow hover shows), then each piece of evidence once.
    out.push(`**⚠ ${describeConclusion(v, p, locale, ctx.device, codeSpan)}**`);
    out.push('');
    if (p.ttl !== undefined) {
      out.push(ttlLine(ctx));
      out.push('');
    }
    out.push(locale === 'ja' ? '**手がかり**' : '**Evidence**');
    for (const e of v.evidence)
      out.push(`- *${STRENGTH[e.strength][locale]}* — ${describeEvidence(e, v, locale, codeSpan)}`);
    if (v.baseline) {
      out.push('');
      out.push(baselineSummary(v.baseline, locale));
      out.push(...packetLines(v.baseline.packets, v.baseline.count, ctx));
    }
    return out.join('\n');
  }
  if (p.ttl !== undefined) out.push(ttlLine(ctx));
  if (v?.status === 'consistent') {
    out.push('');
    out.push(
      locale === 'ja'
        ? `この RST は ${codeSpan(v.source)} の他のパケットと同じ距離 (${hops(v.hops!, locale)}) から届いています。ホスト自身が送ったと考えられます。`
        : `This RST arrived from the same distance (${hops(v.hops!, locale)}) as ${codeSpan(v.source)}'s other packets: the host itself likely sent it.`,
    );
  } else if (v?.status === 'no-baseline') {
    out.push('');
    out.push(
      locale === 'ja'
        ? `${codeSpan(v.source)} の他のパケットに TTL がないため、この RST と比べるものがありません。`
        : `No other packet from ${codeSpan(v.source)} in this capture carries a TTL, so there is nothing to compare this RST with.`,
    );
  }
  if (v && v.evidence.length > 0) {
    out.push('');
    out.push(locale === 'ja' ? '弱い手がかり (それだけでは判断しません):' : 'Weak signals (not enough on their own):');
    for (const e of v.evidence) out.push(`- ${describeEvidence(e, v, locale, codeSpan)}`);
  }
  if (ctx.baseline && v?.status !== 'no-baseline') {
    out.push('');
    out.push(baselineSummary(ctx.baseline, locale));
  }
  return out.join('\n');
}

const STACKS: Record<number, Words> = {
  32: { en: 'old Windows (95/98/NT 3.x)', ja: '古い Windows (95/98/NT 3.x)' },
  64: { en: 'Linux, macOS, BSD, Android, iOS', ja: 'Linux、macOS、BSD、Android、iOS' },
  128: { en: 'Windows', ja: 'Windows' },
  255: {
    en: 'network gear (routers, firewalls, load balancers), or Solaris/AIX ICMP',
    ja: 'ネットワーク機器 (ルーター、ファイアウォール、ロードバランサー)、または Solaris/AIX の ICMP',
  },
};

/** Markdown for a hover on an address: its TTL histogram and what its initial TTL suggests. */
export function describeAddressHover(
  locale: Locale,
  address: string,
  b: SourceBaseline | undefined,
  lineOf: (i: number) => number,
): string {
  const ja = locale === 'ja';
  const out = [`**${codeSpan(address)}**`, ''];
  if (!b) {
    out.push(
      ja
        ? 'このアドレスから送られた、TTL のある RST 以外のパケットはありません。'
        : 'No non-RST packet with a TTL was sent from this address.',
    );
    return out.join('\n');
  }
  out.push(ja ? '| ホップ | パケット | 最初の行 |' : '| hops | packets | first line |');
  out.push('|---:|---:|---:|');
  for (const [h, idx] of b.byHops) out.push(`| ${h} | ${b.countByHops.get(h)} | ${lineOf(idx[0]) + 1} |`);
  out.push('');
  for (const initial of b.initialTtls) {
    const stack = STACKS[initial]?.[locale];
    out.push(
      ja
        ? `初期 TTL の推定: **${initial}**${stack ? ` — ${stack}` : ''}`
        : `Initial TTL guess: **${initial}**${stack ? ` — ${stack}` : ''}`,
    );
  }
  if (b.minHops !== b.maxHops) {
    out.push('');
    out.push(
      ja
        ? '複数の距離から届いています (ECMP、経路変更、または NAT の後ろの複数ホスト)。判定の許容幅が広がります。'
        : 'Seen at several distances (ECMP, a route change, or several hosts behind one NAT address): what counts as consistent widens.',
    );
  }
  return out.join('\n');
}

/** Names the command by its palette title, category included (package.nls*.json; a test holds them equal). */
export function describeBinaryCapture(locale: Locale): string {
  return locale === 'ja'
    ? 'これは tcpdump のテキストではなく、バイナリのキャプチャファイル (pcap/pcapng) のようです。コマンド「tcpdump Lens: キャプチャを tcpdump テキストで開く」で開くか、`tcpdump -nv -r FILE > FILE.txt` でテキストにしてください。'
    : 'This looks like a binary capture file (pcap/pcapng), not tcpdump text. Open it with the command "tcpdump Lens: Open Capture as tcpdump Text", or print it first: `tcpdump -nv -r FILE > FILE.txt`.';
}

/** A finding's message in `locale`: the one place a finding's facts become a sentence. */
export function describeFinding(f: Finding, locale: Locale): string {
  const facts = f.facts;
  switch (facts.kind) {
    case 'suspicious-reset':
      return describeConclusion(facts.verdict, f, locale, f.device);
    case 'checksum-offload':
      return describeChecksumOffload(locale, facts.source, facts.count);
    case 'no-ttl':
      return describeNoTtl(locale);
    case 'binary-capture':
      return describeBinaryCapture(locale);
  }
}

/** A related location's message in `locale`. */
export function describeRelated(r: RelatedLocation, locale: Locale): string {
  const facts = r.facts;
  return facts.kind === 'baseline-packet'
    ? describeBaselineRelated(locale, facts.source, facts.ttl, facts.hops)
    : facts.text;
}
