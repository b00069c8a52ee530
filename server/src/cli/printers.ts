import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../core/analyze';
import { describeFinding } from '../core/describe';
import { displayText } from '../core/displayText';
import { artifactUriFromPath, toSarif } from '../sarif';
import { write, writeJson } from './output';

function severityWord(f: Finding): string {
  return f.severity === 'warning' ? 'warning' : 'info';
}

export function findingJson(f: Finding, frame: number | undefined): Record<string, unknown> {
  return {
    line: f.startLine + 1,
    column: f.startCharacter + 1,
    endLine: f.endLine + 1,
    ...(frame !== undefined ? { frame } : {}),
    severity: f.severity,
    code: f.code,
    message: describeFinding(f, 'en'),
    source: 'tcpdump-lens',
    confidence: f.confidence,
    ttl: f.ttl,
    initialTtl: f.initialTtl,
    hops: f.hops,
    baselineHops: f.baselineHops,
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
    async end() {},
  };
}

/** JSON: the document JSON.stringify(…, null, 2) would print, written piece by piece as findings come. */
export function jsonPrinter(): FindingPrinter {
  let files = 0;
  let inFile = 0;
  let frameOf: ((line: number) => number | undefined) | undefined;
  const closeFile = async (): Promise<void> => {
    if (files > 0) await write(inFile > 0 ? '\n      ]\n    }' : ']\n    }');
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
  const runs: { uri: string; findings: Finding[] }[] = [];
  return {
    async file(name) {
      runs.push({ uri: artifactUriFromPath(name), findings: [] });
    },
    async findings(list) {
      runs[runs.length - 1].findings.push(...list);
    },
    async end(problems) {
      // toSarif reads nothing of an analysis but its findings, which is all a streamed run keeps.
      const analyses = runs.map((r) => ({ uri: r.uri, analysis: { findings: r.findings } }));
      const failed = problems.map((p) => ({ uri: artifactUriFromPath(p.file), message: p.message }));
      await writeJson(`${JSON.stringify(toSarif(analyses, toolVersion(), failed), null, 2)}\n`);
    },
  };
}
