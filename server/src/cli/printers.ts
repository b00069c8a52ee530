import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../core/analyze';
import type { SuspectedDevice } from '../core/devices';
import type { Locale } from '../core/options';
import { portValue } from '../core/packetRecord';
import { deviceSummary, renderReport } from '../core/report';
import { describeFinding } from '../core/describe';
import { displayText } from '../core/displayText';
import { artifactUriFromPath, toSarif } from '../sarif';
import { write, writeJson } from './output';

function severityWord(f: Finding): string {
  return f.severity === 'warning' ? 'warning' : 'info';
}

/** A frame number for JSON: the capture's own (binary input), else the `-#` number tcpdump printed. */
const frameOf = (frame: number | undefined, printed: number | undefined): number | undefined => frame ?? printed;

export function findingJson(f: Finding, frame: number | undefined): Record<string, unknown> {
  const at = frameOf(frame, f.frameNumber);
  return {
    line: f.startLine + 1,
    column: f.startCharacter + 1,
    endLine: f.endLine + 1,
    ...(at !== undefined ? { frame: at } : {}),
    severity: f.severity,
    code: f.code,
    message: describeFinding(f, 'en'),
    source: 'tcpdump-lens',
    confidence: f.confidence,
    ttl: f.ttl,
    initialTtl: f.initialTtl,
    hops: f.hops,
    baselineHops: f.baselineHops,
    device: f.device,
    src: f.src,
    dst: f.dst,
    srcPort: portValue(f.srcPort),
    dstPort: portValue(f.dstPort),
    timestamp: f.timestamp,
  };
}

/** A suspected device for JSON: 1-based lines, frames where the input has them. */
export function deviceJson(
  d: SuspectedDevice,
  frameOfLine?: (line: number) => number | undefined,
): Record<string, unknown> {
  return {
    id: d.id,
    hops: d.hops,
    initialTtl: d.initialTtl,
    confidence: d.confidence,
    claimedSources: d.claimedSources,
    resets: d.resets.map((r) => ({
      line: r.line + 1,
      frame: frameOf(frameOfLine?.(r.line), r.frameNumber),
      src: r.src,
      dst: r.dst,
      srcPort: portValue(r.srcPort),
      dstPort: portValue(r.dstPort),
      timestamp: r.timestamp,
      confidence: r.confidence,
      moment: r.moment,
      idleSeconds: r.idleSeconds,
    })),
    fingerprint: d.fingerprint,
  };
}

/** A finding as one terminal line: capture text in the message cannot steer the terminal (displayText). */
export function findingText(file: string, f: Finding, frame: number | undefined): string {
  return displayText(
    `${file}:${f.startLine + 1}:${f.startCharacter + 1}: ${severityWord(f)}: ${describeFinding(f, 'en')} [${f.code}]${frame !== undefined ? ` (frame ${frame})` : ''}`,
  );
}

/** The package's version, for --version and SARIF's tool.driver.version. */
export function toolVersion(): string {
  try {
    // dist/cli.js sits beside the package's package.json (npx, a checkout, an installed package).
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/** An input that fails the run (exit 2): unreadable, undecodable, damaged, or without packets. */
export interface InputProblem {
  file: string;
  message: string;
}

/** Receives each file's findings in line order as the second pass releases them. */
export interface FindingPrinter {
  file(name: string, packets: number, frameOfLine?: (line: number) => number | undefined): Promise<void>;
  findings(list: readonly Finding[]): Promise<void>;
  /** The file's suspected devices, once its findings are all in. */
  devices(list: readonly SuspectedDevice[], warnings: number): Promise<void>;
  /** Ends the document; `problems` are the inputs that make the run fail (also said on stderr). */
  end(problems: readonly InputProblem[]): Promise<void>;
}

const indent = (text: string, by: number): string => text.replace(/^/gm, ' '.repeat(by));

/** Text: one line per finding, written as found. */
export function textPrinter(): FindingPrinter {
  let name = '';
  let frameOf: ((line: number) => number | undefined) | undefined;
  return {
    async file(file, _packets, frameOfLine) {
      name = file;
      frameOf = frameOfLine;
    },
    async findings(list) {
      if (list.length) await write(`${list.map((f) => findingText(name, f, frameOf?.(f.startLine))).join('\n')}\n`);
    },
    async devices() {},
    async end() {},
  };
}

/** --summary: one line per suspected device of each file (or that there is none). */
export function summaryPrinter(locale: Locale): FindingPrinter {
  let name = '';
  return {
    async file(file) {
      name = file;
    },
    async findings() {},
    async devices(list) {
      const lines = list.length
        ? list.map((d) => `${name}: ${deviceSummary(d, locale)}`)
        : [`${name}: ${locale === 'ja' ? 'RST を偽造している機器はありません' : 'no forging device'}`];
      await write(`${lines.map((l) => displayText(l)).join('\n')}\n`);
    },
    async end() {},
  };
}

/** --format report: one Markdown report per file. */
export function reportPrinter(locale: Locale): FindingPrinter {
  let name = '';
  let packets = 0;
  let first = true;
  return {
    async file(file, count) {
      name = file;
      packets = count;
    },
    async findings() {},
    async devices(list, warnings) {
      const placed = list.reduce((n, d) => n + d.resets.length, 0);
      const report = renderReport(
        { file: name, packets, devices: list, warnings: Math.max(0, warnings - placed) },
        locale,
      );
      await write(`${first ? '' : '\n'}${displayText(report, true)}`);
      first = false;
    },
    async end() {},
  };
}

/** JSON: the document JSON.stringify(…, null, 2) would print, written piece by piece as findings come. */
export function jsonPrinter(): FindingPrinter {
  let files = 0;
  let inFile = 0;
  let frameOf: ((line: number) => number | undefined) | undefined;
  let devicesJson = '';
  const closeFile = async (): Promise<void> => {
    if (files > 0) await writeJson(`${inFile > 0 ? '\n      ]' : ']'}${devicesJson}\n    }`);
    devicesJson = '';
  };
  return {
    async file(name, packets, frameOfLine) {
      await closeFile();
      const head = indent(JSON.stringify({ file: name, packets }, null, 2).slice(0, -2), 4);
      await writeJson(`${files === 0 ? '{\n  "files": [\n' : ',\n'}${head},\n      "findings": [`);
      files++;
      inFile = 0;
      frameOf = frameOfLine;
    },
    async findings(list) {
      if (list.length === 0) return;
      const parts = list.map((f) => indent(JSON.stringify(findingJson(f, frameOf?.(f.startLine)), null, 2), 8));
      await writeJson(`${inFile > 0 ? ',' : ''}\n${parts.join(',\n')}`);
      inFile += list.length;
    },
    async devices(list) {
      devicesJson = `,\n      "devices": ${indent(
        JSON.stringify(
          list.map((d) => deviceJson(d, frameOf)),
          null,
          2,
        ),
        6,
      ).trimStart()}`;
    },
    async end(problems) {
      await closeFile();
      // Only when there are any, so that a clean run's document is what it always was.
      const errors = problems.length
        ? `,\n  "errors": ${indent(JSON.stringify(problems, null, 2), 2).trimStart()}`
        : '';
      await writeJson(files === 0 ? `{\n  "files": []${errors}\n}\n` : `\n  ]${errors}\n}\n`);
    },
  };
}

/** SARIF: one log for all files, so it is written at the end (memory grows with the findings, not the input). */
export function sarifPrinter(): FindingPrinter {
  const runs: { uri: string; findings: Finding[]; frameOfLine?: (line: number) => number | undefined }[] = [];
  return {
    async file(name, _packets, frameOfLine) {
      runs.push({ uri: artifactUriFromPath(name), findings: [], frameOfLine });
    },
    async findings(list) {
      runs[runs.length - 1].findings.push(...list);
    },
    async devices() {},
    async end(problems) {
      // toSarif reads nothing of an analysis but its findings, which is all a streamed run keeps.
      const analyses = runs.map((r) => ({
        uri: r.uri,
        analysis: { findings: r.findings },
        frameOfLine: r.frameOfLine,
      }));
      const failed = problems.map((p) => ({ uri: artifactUriFromPath(p.file), message: p.message }));
      await writeJson(`${JSON.stringify(toSarif(analyses, toolVersion(), failed), null, 2)}\n`);
    },
  };
}
