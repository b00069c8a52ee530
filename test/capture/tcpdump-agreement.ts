import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { parseCapture, splitLines } from '../../server/src/core/parse';
import type { Packet } from '../../server/src/core/packet';
import { renderCaptureFrames, SUPPORTED_LINK_TYPES, type RenderedCapture } from '../../server/src/core/capture';

/*
 * Compares our pcap → text rendering with the real tcpdump's on the same file, through the text
 * parser: both texts are parsed with parseCapture, and each frame's packets must carry the same
 * fields; then analyze() of both texts must give the same findings (code, severity, packet).
 * Frames are matched by their `-#` number, which both texts print.
 */

/** The fields the issue names first, then the other ones the verdicts read. */
export const COMPARED_FIELDS = [
  'src',
  'dst',
  'srcPort',
  'dstPort',
  'proto',
  'ttl',
  'ipId',
  'flags',
  'seq',
  'ack',
  'family',
  'win',
  'tos',
  'df',
  'ipLength',
  'payloadLength',
  'badChecksum',
  'icmpType',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface Disagreement {
  frame: number;
  /** Which packet of the frame (tunnels and ICMP errors can print several). */
  slot: number;
  field: ComparedField;
  ours: unknown;
  tcpdump: unknown;
}

/** Known differences that are not ours to fix, each with its reason. */
export interface AllowedDifference {
  /** Frames left out of the comparison entirely; 'all' for every frame of the file. */
  frames?: 'all' | readonly number[];
  /** Fields whose values may differ (in every frame). */
  fields?: readonly ComparedField[];
  reason: string;
}

export interface FileAgreement {
  file: string;
  /** Frames on link types we decode, compared field by field. */
  framesCompared: number;
  /** Frames on link types we do not decode, by link type: counted and listed, not compared. */
  unsupported: Map<number, number>;
  /** Frames an allow-list entry leaves out. */
  framesAllowed: number;
  packetSlots: number;
  /** Compared frames whose whole text equals tcpdump's (application-layer detail is where they differ). */
  framesIdentical: number;
  agree: Record<ComparedField, number>;
  disagreements: Disagreement[];
  /** Field differences an allow-list entry accepts. */
  allowedDifferences: number;
  /** Findings as `code severity frame.slot`, of our text and of tcpdump's. */
  findings: { ours: string[]; tcpdump: string[] };
  renderWarnings: string[];
  tcpdumpStderr: string;
}

/** `-#` head line: packet number, two spaces, then the timestamp or a bracketed note (`[Invalid header ...`, `[Error converting time]`). */
const NUMBERED_HEAD = /^ *(\d+) {2}(?:\d\d:\d\d:\d\d\.\d{6} |\[)/;

/** The text of each numbered frame (lines before the first number, if any, are dropped). */
function framesOfText(text: string): Map<number, string> {
  const out = new Map<number, string[]>();
  let current: string[] | undefined;
  const lines = splitLines(text);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = NUMBERED_HEAD.exec(line);
    if (m) {
      current = [];
      out.set(Number(m[1]), current);
    }
    current?.push(line);
  }
  return new Map([...out].map(([n, lines]) => [n, lines.join('\n') + '\n']));
}

interface FrameIndexedText {
  text: string;
  /** Per packet index: [frame number, slot within the frame]. */
  packetFrame: [number, number][];
  byFrame: Map<number, Packet[]>;
}

function indexFrames(frames: ReadonlyMap<number, string>, keep: (frame: number) => boolean): FrameIndexedText {
  const kept = [...frames].filter(([n]) => keep(n)).sort((a, b) => a[0] - b[0]);
  const text = kept.map(([, t]) => t).join('');
  const frameOfLine: number[] = [];
  for (const [n, t] of kept) for (let i = 0; i < splitLines(t).length - 1; i++) frameOfLine.push(n);
  const byFrame = new Map<number, Packet[]>();
  const packetFrame: [number, number][] = [];
  for (const p of parseCapture(text).packets) {
    const n = frameOfLine[p.carrierLine ?? p.startLine];
    const list = byFrame.get(n) ?? [];
    byFrame.set(n, list);
    packetFrame[p.index] = [n, list.length];
    list.push(p);
  }
  return { text, packetFrame, byFrame };
}

export function tcpdumpVersion(): string | undefined {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout + r.stderr).split('\n')[0];
}

/** `TZ=UTC tcpdump -nv -# -r FILE`: -n so no address is ever looked up. */
export function runTcpdump(file: string): { stdout: string; stderr: string } {
  const r = spawnSync('tcpdump', ['-nv', '-#', '-r', file], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr };
}

export function renderedText(rendered: RenderedCapture): string {
  return rendered.frames.map((f) => f.text + '\n').join('');
}

function findingKeys(indexed: FrameIndexedText): string[] {
  return analyze(indexed.text).findings.map((f) => {
    const where = f.packet >= 0 ? indexed.packetFrame[f.packet].join('.') : '-';
    return `${f.code} ${f.severity} ${where}`;
  });
}

export function compareFile(file: string, allowed?: AllowedDifference): FileAgreement {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const rendered = renderCaptureFrames(bytes, { numbered: true });
  const tcpdump = runTcpdump(file);
  const oursByNumber = framesOfText(renderedText(rendered));
  const theirsByNumber = framesOfText(tcpdump.stdout);

  const result: FileAgreement = {
    file: path.basename(file),
    framesCompared: 0,
    unsupported: new Map(),
    framesAllowed: 0,
    packetSlots: 0,
    framesIdentical: 0,
    agree: Object.fromEntries(COMPARED_FIELDS.map((f) => [f, 0])) as Record<ComparedField, number>,
    disagreements: [],
    allowedDifferences: 0,
    findings: { ours: [], tcpdump: [] },
    renderWarnings: rendered.warnings,
    tcpdumpStderr: tcpdump.stderr,
  };
  const compared = new Set<number>();
  for (const frame of rendered.frames) {
    if (!(frame.linkType in SUPPORTED_LINK_TYPES)) {
      result.unsupported.set(frame.linkType, (result.unsupported.get(frame.linkType) ?? 0) + 1);
      continue;
    }
    if (allowed?.frames === 'all' || allowed?.frames?.includes(frame.number)) {
      result.framesAllowed++;
      continue;
    }
    compared.add(frame.number);
  }
  // tcpdump can stop earlier than we do (it gives up on a damaged file at the first bad record
  // header, we at the same place): frames it never printed are compared as missing on its side.
  const ours = indexFrames(oursByNumber, (n) => compared.has(n));
  const theirs = indexFrames(theirsByNumber, (n) => compared.has(n));
  const allowedFields = new Set(allowed?.fields ?? []);
  for (const n of compared) {
    result.framesCompared++;
    if (oursByNumber.get(n) === theirsByNumber.get(n)) result.framesIdentical++;
    const a = ours.byFrame.get(n) ?? [];
    const b = theirs.byFrame.get(n) ?? [];
    for (let slot = 0; slot < Math.max(a.length, b.length); slot++) {
      result.packetSlots++;
      for (const field of COMPARED_FIELDS) {
        const x = a[slot]?.[field];
        const y = b[slot]?.[field];
        if (a[slot] && b[slot] && x === y) result.agree[field]++;
        else if (a[slot] && b[slot] && allowedFields.has(field)) result.allowedDifferences++;
        else
          result.disagreements.push({
            frame: n,
            slot,
            field,
            ours: a[slot] ? x : '(no packet)',
            tcpdump: b[slot] ? y : '(no packet)',
          });
      }
    }
  }
  result.findings = { ours: findingKeys(ours), tcpdump: findingKeys(theirs) };
  return result;
}

export function captureFilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...captureFilesIn(full));
    else if (/\.(pcap|pcapng|cap)$/i.test(entry.name)) out.push(full);
  }
  return out.sort();
}
