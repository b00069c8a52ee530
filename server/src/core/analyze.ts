import { buildBaselines, type SourceBaseline } from './baseline';
import { describeBaselineRelated, describeNoTtl, describePacketHover, describeSuspiciousReset } from './describe';
import { DEFAULT_OPTIONS, type AnalysisOptions } from './options';
import type { Packet } from './packet';
import { parseLines, splitLines } from './parse';
import { inferInitialTtl } from './ttl';
import { judgeResets, type ResetVerdict } from './verdict';

export type FindingCode = 'ttl-mismatch' | 'no-ttl';
export type FindingSeverity = 'warning' | 'information';

export interface RelatedLocation {
  line: number;
  startCharacter: number;
  endCharacter: number;
  message: string;
}

/** A diagnostic in plain data: 0-based lines, LSP-shaped but free of LSP. */
export interface Finding {
  packet: number;
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  severity: FindingSeverity;
  code: FindingCode;
  message: string;
  related: RelatedLocation[];
  ttl?: number;
  initialTtl?: number;
  hops?: number;
  baselineHops?: number;
}

export interface Analysis {
  lines: readonly string[];
  packets: readonly Packet[];
  baselines: ReadonlyMap<string, SourceBaseline>;
  verdicts: readonly ResetVerdict[];
  findings: readonly Finding[];
  /** line → index of the packet covering it, or -1. */
  packetAtLine: Int32Array;
  verdictByPacket: ReadonlyMap<number, ResetVerdict>;
  options: AnalysisOptions;
}

/** The one pipeline: text → packets → per-source baselines → verdicts → findings. */
export function analyze(text: string, options: AnalysisOptions = DEFAULT_OPTIONS): Analysis {
  const lines = splitLines(text);
  const { packets } = parseLines(lines);
  const baselines = buildBaselines(packets, options.initialTtls);
  const verdicts = judgeResets(packets, baselines, options.initialTtls);
  const verdictByPacket = new Map(verdicts.map((v) => [v.packet, v]));

  const packetAtLine = new Int32Array(lines.length).fill(-1);
  for (const p of packets) for (let l = p.startLine; l <= p.endLine; l++) packetAtLine[l] = p.index;

  const findings: Finding[] = [];
  for (const v of verdicts) {
    if (v.status !== 'suspicious') continue;
    const p = packets[v.packet];
    const related: RelatedLocation[] = v.baseline!.packets.slice(0, 20).map((i) => {
      const b = packets[i];
      const r = b.ttlRange ?? { line: b.startLine, start: 0, end: lines[b.startLine].length };
      return {
        line: r.line,
        startCharacter: r.start,
        endCharacter: r.end,
        message: describeBaselineRelated(options.locale, v.source, b.ttl!, inferInitialTtl(b.ttl!, options.initialTtls)! - b.ttl!),
      };
    });
    findings.push({
      packet: p.index,
      startLine: p.startLine,
      startCharacter: 0,
      endLine: p.endLine,
      endCharacter: p.endLineLength,
      severity: 'warning',
      code: 'ttl-mismatch',
      message: describeSuspiciousReset(v, options.locale),
      related,
      ttl: v.ttl,
      initialTtl: v.initialTtl,
      hops: v.hops,
      baselineHops: v.baselineHops,
    });
  }
  if (packets.length > 0 && !packets.some((p) => p.ttl !== undefined)) {
    const first = packets[0];
    findings.unshift({
      packet: first.index,
      startLine: first.startLine,
      startCharacter: 0,
      endLine: first.endLine,
      endCharacter: first.endLineLength,
      severity: 'information',
      code: 'no-ttl',
      message: describeNoTtl(options.locale),
      related: [],
    });
  }
  return { lines, packets, baselines, verdicts, findings, packetAtLine, verdictByPacket, options };
}

/** Markdown hover for the packet covering `line` (0-based), or undefined when there is nothing to say. */
export function hoverAt(a: Analysis, line: number): { markdown: string; packet: Packet } | undefined {
  if (line < 0 || line >= a.packetAtLine.length) return undefined;
  const idx = a.packetAtLine[line];
  if (idx < 0) return undefined;
  const packet = a.packets[idx];
  if (packet.ttl === undefined) return undefined;
  const initialTtl = inferInitialTtl(packet.ttl, a.options.initialTtls);
  const markdown = describePacketHover({
    packet,
    verdict: a.verdictByPacket.get(idx),
    initialTtl,
    hops: initialTtl === undefined ? undefined : initialTtl - packet.ttl,
    baseline: a.baselines.get(packet.src),
    lineOf: (i) => ({ line: a.packets[i].startLine, text: a.lines[a.packets[i].startLine] }),
    locale: a.options.locale,
  });
  return { markdown, packet };
}
