import { readFileSync } from 'node:fs';
import { analyze } from '../../server/src/core/analyze';

/*
 * One side of the in-process comparison, run in its own process so the two never share a heap:
 *   tsx scripts/bench/inProcess.ts floor|analyze FILE
 * floor: read the file as UTF-8 and split it into lines; analyze: read it and run analyze().
 * Prints {ms, packets, findings} as JSON: the time from just before the read to just after the
 * work, without node's start-up, which the spawn-to-exit figures include.
 */

const [mode, file] = process.argv.slice(2);
if ((mode !== 'floor' && mode !== 'analyze') || !file) throw new Error('usage: inProcess.ts floor|analyze FILE');
const started = performance.now();
const text = readFileSync(file, 'utf8');
let packets = 0;
let findings = 0;
let lines: number;
if (mode === 'floor') {
  lines = text.split('\n').length;
} else {
  const a = analyze(text);
  packets = a.packets.length;
  findings = a.findings.length;
  lines = a.lines.length;
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ mode, ms, lines, packets, findings })}\n`);
