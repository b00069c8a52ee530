import type { DeviceReset, SuspectedDevice } from './devices';
import type { Locale } from './options';

/*
 * The report to hand on (issue 15): per suspected device, what was seen, where it sits, every
 * connection it reset and the next step — the article's message to the firewall's owner, and the
 * capture that would settle it. Markdown, English or Japanese. Capture text (addresses) appears only
 * inside code spans.
 */

export interface ReportInput {
  /** The capture's name as the reader knows it (a file name, `-` for standard input). */
  file: string;
  packets: number;
  devices: readonly SuspectedDevice[];
  /** Warnings not placed on any device (e.g. race signals alone are information, never here). */
  warnings: number;
}

const code = (s: string): string => {
  const t = s.replace(/[\r\n]/g, ' ');
  let longest = 0;
  for (const run of t.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 ? ' ' : ''}${t}${longest > 0 ? ' ' : ''}${fence}`;
};

export const hopsWord = (n: number, ja: boolean): string => (ja ? `${n} ホップ` : `${n} ${n === 1 ? 'hop' : 'hops'}`);

const STACK: Record<number, { en: string; ja: string }> = {
  32: { en: 'an old Windows stack', ja: '古い Windows のスタック' },
  64: {
    en: 'a Linux/BSD-based stack (many firewalls and load balancers)',
    ja: 'Linux/BSD 系のスタック (多くのファイアウォール・ロードバランサー)',
  },
  128: { en: 'a Windows stack', ja: 'Windows のスタック' },
  255: {
    en: 'network gear (router, firewall, load balancer)',
    ja: 'ネットワーク機器 (ルーター・ファイアウォール・ロードバランサー)',
  },
};

/** The connection an RST reset, as the peer that received it opened it: `peer:port → host:port`. */
export function connectionOf(r: Pick<DeviceReset, 'src' | 'dst' | 'srcPort' | 'dstPort'>): string {
  const ep = (a: string, p?: string): string => {
    const host = a.includes(':') ? `[${a}]` : a;
    return p === undefined ? host : `${host}:${p}`;
  };
  return `${ep(r.dst, r.dstPort)} → ${ep(r.src, r.srcPort)}`;
}

/** Where the device sits, in one phrase: "1 hop from the capture point, 2 hops before 192.0.2.1". */
export function placeOf(d: SuspectedDevice, ja: boolean, quote: (s: string) => string): string {
  const before = d.claimedSources
    .filter((c) => c.hopsBefore !== undefined && c.hopsBefore > 0)
    .map((c) =>
      ja
        ? `${quote(c.address)} の ${hopsWord(c.hopsBefore!, ja)}手前`
        : `${hopsWord(c.hopsBefore!, ja)} before ${quote(c.address)}`,
    );
  const here = ja ? `キャプチャ地点から ${hopsWord(d.hops, ja)}` : `${hopsWord(d.hops, ja)} from the capture point`;
  return [here, ...before].join(ja ? '、' : ', ');
}

/** One line per device, for `--summary` and the status bar's tooltip. */
export function deviceSummary(d: SuspectedDevice, locale: Locale): string {
  const ja = locale === 'ja';
  const connections = new Set(d.resets.map(connectionOf)).size;
  const hosts = d.claimedSources.map((c) => c.address).join(', ');
  return ja
    ? `デバイス #${d.id}: ${placeOf(d, ja, (s) => s)} — ${hosts} を名乗る RST ${d.resets.length} 個、${connections} 接続 (確信度 ${confidenceWord(d.confidence, ja)})`
    : `device #${d.id}: ${placeOf(d, ja, (s) => s)} — ${d.resets.length} ${d.resets.length === 1 ? 'RST' : 'RSTs'} claiming ${hosts} on ${connections} ${connections === 1 ? 'connection' : 'connections'} (${d.confidence})`;
}

export const confidenceWord = (c: string, ja: boolean): string =>
  ja ? (({ high: '高', medium: '中', low: '低' } as Record<string, string>)[c] ?? c) : c;

function fingerprintOf(d: SuspectedDevice, ja: boolean): string {
  const f = d.fingerprint;
  const parts: string[] = [];
  const stack = STACK[d.initialTtl];
  parts.push(
    ja
      ? `初期 TTL ${d.initialTtl}${stack ? ` — ${stack.ja}` : ''}`
      : `initial TTL ${d.initialTtl}${stack ? ` — ${stack.en}` : ''}`,
  );
  if (f.ipId) parts.push(f.ipId === 'zero' ? 'IP ID 0' : ja ? 'IP ID は可変' : 'varying IP IDs');
  if (f.df !== undefined) parts.push(f.df ? (ja ? 'DF あり' : 'DF set') : ja ? 'DF なし' : 'DF clear');
  if (f.windows.length > 0) parts.push(`${ja ? 'ウィンドウ' : 'window'} ${f.windows.join('/')}`);
  if (f.macs.length > 0) parts.push(`MAC ${f.macs.map(code).join(', ')}`);
  return parts.join(ja ? '、' : ', ');
}

function resetRow(r: DeviceReset, ja: boolean): string {
  const where =
    r.frameNumber !== undefined
      ? `${ja ? 'フレーム' : 'frame'} ${r.frameNumber}`
      : `${ja ? '行' : 'line'} ${r.line + 1}`;
  const silence = r.idleSeconds === undefined ? '' : `${Math.round(r.idleSeconds)}`;
  const when =
    r.moment === 'on-syn'
      ? ja
        ? 'SYN への応答'
        : 'answering the SYN'
      : r.moment === 'after-idle'
        ? ja
          ? `${silence} 秒の無通信の後`
          : `after ${silence} s of silence`
        : ja
          ? '接続中'
          : 'mid-connection';
  return `| ${r.timestamp ? code(r.timestamp) : '—'} | ${where} | ${code(connectionOf(r))} | ${when} | ${confidenceWord(r.confidence, ja)} |`;
}

function nextStep(d: SuspectedDevice, ja: boolean): string[] {
  const host = d.claimedSources[0];
  const before = host?.hopsBefore;
  const hostText = host ? code(host.address) : '';
  const firstPort = d.resets.find((r) => r.srcPort !== undefined)?.srcPort;
  const filter = host
    ? `host ${host.address}${firstPort && /^\d+$/.test(firstPort) ? ` and tcp port ${firstPort}` : ''}`
    : 'tcp';
  const capture = code(`tcpdump -nv -i <interface> '${filter}'`);
  if (ja) {
    return [
      before !== undefined && before > 0
        ? `- **お客様・機器の管理者へ:** 「${hostText} の ${hopsWord(before, true)}手前 (ここから ${hopsWord(d.hops, true)}) にファイアウォールかロードバランサーはありますか? これらの RST はその機器が送った可能性が高いです。ポリシーを確認していただけますか。」`
        : `- **お客様・機器の管理者へ:** 「ここから ${hopsWord(d.hops, true)}の所にある機器が ${hostText} を名乗って RST を送っています。その機器のポリシーを確認していただけますか。」`,
      `- **確かめるには:** ${hostText} の側でも同時にキャプチャしてください (${capture})。${hostText} 自身がこれらの RST を送っていなければ、途中の機器が送ったことが確定します。${d.hops === 0 ? ' 同じセグメントの機器なので `-e` で送信元 MAC も記録してください。' : ''}`,
    ];
  }
  return [
    before !== undefined && before > 0
      ? `- **To the customer or the device's owner:** "Is there a firewall or load balancer ${hopsWord(before, false)} before ${hostText} (${hopsWord(d.hops, false)} from here)? These RSTs likely come from it — could you have its policy checked?"`
      : `- **To the customer or the device's owner:** "A device ${hopsWord(d.hops, false)} from here sends RSTs in the name of ${hostText} — could you have its policy checked?"`,
    `- **To settle it:** capture at ${hostText} at the same time (${capture}). If ${hostText} never sends these RSTs, the device in between did.${d.hops === 0 ? ' It is on this segment: capture with `-e` to record its MAC address.' : ''}`,
  ];
}

/** The whole report, Markdown. */
export function renderReport(input: ReportInput, locale: Locale): string {
  const ja = locale === 'ja';
  const out: string[] = [];
  out.push(ja ? `# tcpdump Lens レポート: ${code(input.file)}` : `# tcpdump Lens report: ${code(input.file)}`);
  out.push('');
  if (input.devices.length === 0) {
    out.push(
      ja
        ? `${input.packets} パケットを調べました。RST を偽造している機器は見つかりませんでした${input.warnings > 0 ? ` (位置を特定できない警告が ${input.warnings} 件あります)` : ''}。`
        : `${input.packets} ${input.packets === 1 ? 'packet' : 'packets'} read. No device was found forging RSTs${input.warnings > 0 ? ` (${input.warnings} warnings could not be placed on a device)` : ''}.`,
    );
    return `${out.join('\n')}\n`;
  }
  out.push(
    ja
      ? `${input.packets} パケットを調べ、RST を偽造している可能性が高い機器を ${input.devices.length} 台見つけました。`
      : `${input.packets} ${input.packets === 1 ? 'packet' : 'packets'} read; ${input.devices.length} ${input.devices.length === 1 ? 'device' : 'devices'} likely forged RSTs.`,
  );
  for (const d of input.devices) {
    const hosts = d.claimedSources.map((c) => code(c.address)).join(', ');
    const connections = new Set(d.resets.map(connectionOf)).size;
    out.push('');
    out.push(`## ${ja ? 'デバイス' : 'Device'} #${d.id}: ${placeOf(d, ja, code)}`);
    out.push('');
    out.push(
      ja
        ? `**見えたこと:** ${hosts} を名乗る RST ${d.resets.length} 個が、${connections} 個の接続をリセットしました (確信度: ${confidenceWord(d.confidence, true)})。`
        : `**What was seen:** ${d.resets.length} ${d.resets.length === 1 ? 'RST' : 'RSTs'} claiming to come from ${hosts} reset ${connections} ${connections === 1 ? 'connection' : 'connections'} (confidence: ${d.confidence}).`,
    );
    out.push('');
    const hostLines = d.claimedSources.map((c) =>
      c.hostHops === undefined
        ? ja
          ? `${code(c.address)} 自身の距離はこのキャプチャからは分かりません`
          : `${code(c.address)}'s own distance is not in this capture`
        : ja
          ? `${code(c.address)} 自身のパケットは ${hopsWord(c.hostHops, true)}先から届いています`
          : `${code(c.address)}'s own packets arrive from ${hopsWord(c.hostHops, false)}`,
    );
    out.push(
      ja
        ? `**機器の位置:** この機器の RST はキャプチャ地点から ${hopsWord(d.hops, true)}の所から届いています。${hostLines.join('。')}。`
        : `**Where it sits:** its RSTs arrive from ${hopsWord(d.hops, false)} away; ${hostLines.join('; ')}.`,
    );
    out.push('');
    out.push(`**${ja ? '特徴' : 'Fingerprint'}:** ${fingerprintOf(d, ja)}${ja ? '。' : '.'}`);
    out.push('');
    out.push(ja ? '**リセットされた接続:**' : '**Connections it reset:**');
    out.push('');
    out.push(ja ? '| 時刻 | 位置 | 接続 | いつ | 確信度 |' : '| time | where | connection | when | confidence |');
    out.push('|---|---|---|---|---|');
    for (const r of d.resets) out.push(resetRow(r, ja));
    out.push('');
    out.push(ja ? '**次の一手:**' : '**Next step:**');
    out.push('');
    out.push(...nextStep(d, ja));
  }
  return `${out.join('\n')}\n`;
}
