import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Self time by function from a V8 .cpuprofile (`node --cpu-prof`), mapped back to the TypeScript
 * source through the bundle's source map, as a Markdown table.
 *   tsx scripts/bench/hotspots.ts FILE.cpuprofile [TOP]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const maps = new Map<string, SourceMap | null>();
function sourceMapFor(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (existsSync(`${file}.map`))
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url)!;
}

function whereIs(frame: CallFrame): string {
  if (!frame.url) return '';
  const map = sourceMapFor(frame.url);
  // findEntry returns {} where no mapping covers the position.
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const src = entry.originalSource.replace(/^.*?((?:server|client|node_modules)\/)/, '$1');
    return `${src}:${(entry.originalLine ?? 0) + 1}`;
  }
  const file = frame.url.startsWith('file:') ? path.basename(fileURLToPath(frame.url)) : frame.url;
  return `${file}:${frame.lineNumber + 1}`;
}

export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byNode.get(profile.samples[i])!;
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    const key = `${frame.functionName || '(anonymous)'}\u0000${whereIs(frame)}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    totalUs += dt;
  }
  const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const out = [
    `Total sampled ${(totalUs / 1000).toFixed(0)} ms.`,
    '',
    '| self ms | self % | function | where |',
    '|---:|---:|---|---|',
  ];
  for (const [key, us] of rows) {
    const [fn, where] = key.split('\u0000');
    out.push(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / totalUs).toFixed(1)} | \`${fn}\` | ${where} |`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: hotspots.ts FILE.cpuprofile [TOP]');
  process.stdout.write(`${summariseProfile(file, top ? Number(top) : 25)}\n`);
}
