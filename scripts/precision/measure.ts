/*
 * How often each kind of evidence, and each confidence level, is right: measured on every RST
 * whose truth is known from outside the analyzer, the labelled captures this project has:
 * - ../shared/wild: real third-party captures, each RST the analysis ever spoke about judged by an
 *   expert (triage.csv: TP and MISSED are forged, FP genuine; RSTs nobody triaged are left out);
 * - test/fixtures/lab: real traffic through a firewall that forges RSTs (expected.json);
 * - test/fixtures/ordinary: real kernels' own RSTs and a firewall's, captured at both ends.
 * (The signal fixtures are built to show one signal each, not to be a sample: they are not counted.)
 *   npx tsx scripts/precision/measure.ts        prints the Markdown table README.md carries
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { renderCaptureFrames } from '../../server/src/core/capture';
import type { EvidenceKind, Strength } from '../../server/src/core/evidence';
import { isReset } from '../../server/src/core/packet';
import type { ResetVerdict } from '../../server/src/core/verdict';

const REPO = path.resolve(__dirname, '..', '..');
export const WILD = path.resolve(REPO, '..', 'shared', 'wild');

export type Truth = 'forged' | 'genuine';
export interface LabelledReset {
  set: 'wild' | 'lab' | 'ordinary';
  where: string;
  truth: Truth;
  verdict: ResetVerdict;
}

/** Each RST of a text with its verdict; `truthOfLine` (1-based first line) → its truth, or undefined. */
function labelled(
  set: LabelledReset['set'],
  name: string,
  text: string,
  truthOf: (line: number) => Truth | undefined,
): LabelledReset[] {
  const a = analyze(text);
  const out: LabelledReset[] = [];
  for (const v of a.verdicts) {
    const p = a.packets[v.packet];
    if (!isReset(p)) continue;
    const truth = truthOf(p.startLine + 1);
    if (truth) out.push({ set, where: `${name}:${p.startLine + 1}`, truth, verdict: v });
  }
  return out;
}

function wild(): LabelledReset[] {
  if (!existsSync(WILD)) return [];
  const truthByFrame = new Map<string, Truth>();
  for (const line of readFileSync(path.join(WILD, 'triage.csv'), 'utf8').split('\n').slice(1)) {
    const m = /^([^,]+),(\d+),[^,]*,[^,]*,[^,]*,(TP|FP|MISSED),/.exec(line);
    if (m) truthByFrame.set(`${m[1]}#${m[2]}`, m[3] === 'FP' ? 'genuine' : 'forged');
  }
  const out: LabelledReset[] = [];
  for (const name of readdirSync(path.join(WILD, 'pcaps')).sort()) {
    const rendered = renderCaptureFrames(readFileSync(path.join(WILD, 'pcaps', name)));
    const frameOfLine: number[] = [];
    let text = '';
    rendered.frames.forEach((f, i) => {
      text += `${f.text}\n`;
      for (let k = f.text.split('\n').length; k > 0; k--) frameOfLine.push(i + 1);
    });
    out.push(...labelled('wild', name, text, (line) => truthByFrame.get(`${name}#${frameOfLine[line - 1]}`)));
  }
  return out;
}

function lab(): LabelledReset[] {
  const dir = path.join(REPO, 'test', 'fixtures', 'lab');
  const table = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
    files: Record<string, { tcpdumpFlags: string; forgedRstLines: number[]; genuineRstLines: number[] }>;
  };
  const out: LabelledReset[] = [];
  // One rendering per capture (-nv): the others hold the same RSTs.
  for (const [file, e] of Object.entries(table.files)) {
    if (e.tcpdumpFlags !== '-nv') continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    out.push(
      ...labelled('lab', file, text, (line) =>
        e.forgedRstLines.includes(line) ? 'forged' : e.genuineRstLines.includes(line) ? 'genuine' : undefined,
      ),
    );
  }
  return out;
}

function ordinary(): LabelledReset[] {
  const dir = path.join(REPO, 'test', 'fixtures', 'ordinary');
  const table = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
    files: Record<string, { resets: { line: number; truth: Truth }[] }>;
  };
  const out: LabelledReset[] = [];
  for (const [file, e] of Object.entries(table.files)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    out.push(...labelled('ordinary', file, text, (line) => e.resets.find((r) => r.line === line)?.truth));
  }
  return out;
}

export function labelledResets(): LabelledReset[] {
  return [...wild(), ...lab(), ...ordinary()];
}

export interface PrecisionRow {
  what: string;
  forged: number;
  genuine: number;
}

/** One evidence kind at one strength, as it stands in final verdicts. */
export interface EvidenceRow extends PrecisionRow {
  kind: EvidenceKind;
  strength: Strength;
}

export const precision = (r: PrecisionRow): number | undefined =>
  r.forged + r.genuine === 0 ? undefined : r.forged / (r.forged + r.genuine);

/** Per evidence kind (as it stands in the final verdict), and per outcome (warning high/medium, note low). */
export function measure(resets: readonly LabelledReset[]): {
  kinds: Map<string, EvidenceRow>;
  levels: PrecisionRow[];
} {
  const kinds = new Map<string, EvidenceRow>();
  const level = (what: string): PrecisionRow => ({ what, forged: 0, genuine: 0 });
  const levels = [level('warning, high'), level('warning, medium'), level('information, low'), level('no finding')];
  for (const r of resets) {
    const seen = new Set<string>();
    for (const e of r.verdict.evidence) {
      const what = `${e.kind} (${e.strength})`;
      if (seen.has(what)) continue;
      seen.add(what);
      let row = kinds.get(what);
      if (!row) kinds.set(what, (row = { what, kind: e.kind, strength: e.strength, forged: 0, genuine: 0 }));
      row[r.truth]++;
    }
    const c = r.verdict.status === 'suspicious' ? r.verdict.confidence : undefined;
    levels[c === 'high' ? 0 : c === 'medium' ? 1 : c === 'low' ? 2 : 3][r.truth]++;
  }
  return { kinds, levels };
}

const cell = (r: PrecisionRow): string => {
  const p = precision(r);
  return p === undefined ? '—' : `${(100 * p).toFixed(p === 1 || p === 0 ? 0 : 1)} %`;
};

/** The table README.md carries (regenerate with this script; a test holds README to it). */
export function precisionMarkdown(resets: readonly LabelledReset[]): string {
  const { kinds, levels } = measure(resets);
  const sets = (s: LabelledReset['set']): number => resets.filter((r) => r.set === s).length;
  const out = [
    `Measured on ${resets.length} RSTs whose sender is known from outside the analyzer: ${sets('wild')} in real third-party captures (\`../shared/wild\`, an expert's triage), ${sets('lab')} from the lab's forging firewall (\`test/fixtures/lab\`), ${sets('ordinary')} from real kernels and a firewall in network namespaces (\`test/fixtures/ordinary\`). "Forged" counts RSTs another device sent; precision is forged / (forged + genuine).`,
    '',
    '| outcome | forged | genuine | precision |',
    '|---|---:|---:|---:|',
    ...levels.map((r) => `| ${r.what} | ${r.forged} | ${r.genuine} | ${r.what === 'no finding' ? '—' : cell(r)} |`),
    '',
    '| evidence (in the final verdict) | forged | genuine | precision |',
    '|---|---:|---:|---:|',
    ...[...kinds.values()]
      .sort((x, y) => y.forged + y.genuine - (x.forged + x.genuine) || x.what.localeCompare(y.what))
      .map((r) => `| \`${r.kind}\` ${r.strength} | ${r.forged} | ${r.genuine} | ${cell(r)} |`),
  ];
  return out.join('\n');
}

if (require.main === module) process.stdout.write(`${precisionMarkdown(labelledResets())}\n`);
