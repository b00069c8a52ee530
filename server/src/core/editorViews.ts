import type { Analysis, Finding } from './analyze';
import { feedsBaseline } from './baseline';
import type { DeviceReset, SuspectedDevice } from './devices';
import type { Locale } from './options';
import {
  confidenceWord,
  connectionOf,
  deviceSummary,
  hopsWord,
  placeOf,
  renderReport,
  type ReportInput,
} from './report';

/*
 * What the editor shows of the suspected devices (issue 15): the report of one document, the facts
 * behind the status-bar item, the devices tree (devices → claimed sources → conversations → RSTs)
 * and the actions offered on a finding. Plain data, worded per locale; the language server turns it
 * into LSP and the client into VS Code UI, deciding nothing.
 */

/** The report input for an analysed document: every device, or only device `deviceId`. */
export function reportInputOf(a: Analysis, file: string, deviceId?: number): ReportInput {
  const devices = deviceId === undefined ? a.devices : a.devices.filter((d) => d.id === deviceId);
  return {
    file,
    packets: a.packets.length,
    devices,
    warnings: a.findings.filter((f) => f.severity === 'warning' && f.device === undefined).length,
  };
}

/** The report of an analysed document, Markdown (see report.ts). */
export function documentReport(a: Analysis, file: string, locale: Locale, deviceId?: number): string {
  return renderReport(reportInputOf(a, file, deviceId), locale);
}

/** What the status-bar item says of a document: facts, worded by the client. */
export interface CaptureStatus {
  packets: number;
  devices: number;
  /** RSTs placed on a device. */
  resets: number;
  /** Whether the capture prints TTLs at all (no: the no-TTL note; nothing can be judged). */
  ttlPrinted: boolean;
  /** One line per device (deviceSummary), for the tooltip. */
  summaries: string[];
}

export function captureStatus(a: Analysis, locale: Locale): CaptureStatus {
  return {
    packets: a.packets.length,
    devices: a.devices.length,
    resets: a.devices.reduce((n, d) => n + d.resets.length, 0),
    ttlPrinted: !a.findings.some((f) => f.code === 'no-ttl'),
    summaries: a.devices.map((d) => deviceSummary(d, locale)),
  };
}

/** One node of the devices tree. */
export interface DeviceTreeNode {
  kind: 'device' | 'source' | 'conversation' | 'reset';
  label: string;
  description?: string;
  tooltip?: string;
  /** 0-based line to reveal (RSTs; a conversation's first RST). */
  line?: number;
  /** The device a node belongs to. */
  device: number;
  children?: DeviceTreeNode[];
}

const plural = (n: number, one: string, many: string, ja: string, locale: Locale): string =>
  locale === 'ja' ? `${ja} ${n} 個` : `${n} ${n === 1 ? one : many}`;

function resetNode(r: DeviceReset, device: number, locale: Locale): DeviceTreeNode {
  const ja = locale === 'ja';
  const where = `${ja ? '行' : 'line'} ${r.line + 1}${r.frameNumber !== undefined ? ` (${ja ? 'フレーム' : 'frame'} ${r.frameNumber})` : ''}`;
  const when = r.moment === 'on-syn' ? (ja ? 'SYN への応答' : 'answering the SYN') : ja ? '接続中' : 'mid-connection';
  return {
    kind: 'reset',
    label: where,
    description: [r.timestamp, when, `${ja ? '確信度 ' : ''}${confidenceWord(r.confidence, ja)}`]
      .filter((x) => x !== undefined)
      .join(' · '),
    line: r.line,
    device,
  };
}

/** Devices → the hosts they spoke for → the connections they reset → each RST. */
export function deviceTree(devices: readonly SuspectedDevice[], locale: Locale): DeviceTreeNode[] {
  const ja = locale === 'ja';
  return devices.map((d) => ({
    kind: 'device',
    label: `${ja ? 'デバイス' : 'Device'} #${d.id}`,
    description: placeOf(d, ja, (s) => s),
    tooltip: deviceSummary(d, locale),
    device: d.id,
    line: d.resets[0]?.line,
    children: d.claimedSources.map((c): DeviceTreeNode => {
      const byConnection = new Map<string, DeviceReset[]>();
      for (const r of d.resets.filter((x) => x.src === c.address)) {
        const key = connectionOf(r);
        byConnection.set(key, [...(byConnection.get(key) ?? []), r]);
      }
      return {
        kind: 'source',
        label: c.address,
        description:
          c.hostHops === undefined
            ? ja
              ? '自身の距離は不明'
              : 'own distance unknown'
            : ja
              ? `自身のパケットは ${hopsWord(c.hostHops, true)}先`
              : `own packets from ${hopsWord(c.hostHops, false)}`,
        device: d.id,
        children: [...byConnection].map(([connection, resets]) => ({
          kind: 'conversation',
          label: connection,
          description: plural(resets.length, 'RST', 'RSTs', 'RST', locale),
          line: resets[0].line,
          device: d.id,
          children: resets.map((r) => resetNode(r, d.id, locale)),
        })),
      };
    }),
  }));
}

/** A place in the document (0-based line, characters on it). */
export interface LinePlace {
  line: number;
  start: number;
  end: number;
}

/** What an action does; the server maps each kind to a client command. */
export type FindingActionKind =
  | { kind: 'copy-report'; device: number }
  | { kind: 'hop-map' }
  | { kind: 'own-packets'; address: string; at: LinePlace; packets: LinePlace[] }
  | { kind: 'copy-command'; text: string };

export type FindingAction = FindingActionKind & { title: string };

/** At most this many of a host's own packets are listed (a peek of thousands helps nobody). */
export const OWN_PACKETS_LIMIT = 200;

/** The packets a host sent that its baseline is made of (not RSTs): where its TTL shows its distance. */
export function ownPackets(a: Analysis, address: string, limit = OWN_PACKETS_LIMIT): LinePlace[] {
  const out: LinePlace[] = [];
  for (const p of a.packets) {
    if (p.src !== address || !feedsBaseline(p)) continue;
    out.push(
      p.ttlRange
        ? { line: p.ttlRange.line, start: p.ttlRange.start, end: p.ttlRange.end }
        : { line: p.startLine, start: 0, end: a.lines[p.startLine]?.length ?? 0 },
    );
    if (out.length >= limit) break;
  }
  return out;
}

/** The tcpdump command that prints TTLs, for a capture printed without them. */
export const TCPDUMP_NV_COMMAND = 'tcpdump -nv -r <capture.pcap>';

/**
 * The actions offered on a finding (Ctrl+. in VS Code): on an RST finding, the report of its device,
 * the hop map and the claimed host's own packets; on the no-TTL note, the command that prints TTLs.
 */
export function findingActions(a: Analysis, f: Finding, locale: Locale): FindingAction[] {
  const ja = locale === 'ja';
  if (f.code === 'no-ttl')
    return [
      {
        kind: 'copy-command',
        text: TCPDUMP_NV_COMMAND,
        title: ja ? 'tcpdump -nv -r コマンドをコピー' : 'Copy the tcpdump -nv -r command',
      },
    ];
  if (f.code === 'checksum-offload' || f.code === 'binary-capture') return [];
  const out: FindingAction[] = [];
  if (f.device !== undefined)
    out.push({
      kind: 'copy-report',
      device: f.device,
      title: ja ? `デバイス #${f.device} のレポートをコピー` : `Copy report for device #${f.device}`,
    });
  out.push({ kind: 'hop-map', title: ja ? 'ホップマップで表示' : 'Show in hop map' });
  const p = a.packets[f.packet];
  if (p) {
    const packets = ownPackets(a, p.src);
    if (packets.length > 0)
      out.push({
        kind: 'own-packets',
        address: p.src,
        at: { line: f.startLine, start: f.startCharacter, end: f.endCharacter },
        packets,
        title: ja ? `${p.src} 自身のパケットを表示` : `Show ${p.src}'s own packets`,
      });
  }
  return out;
}
