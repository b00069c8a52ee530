import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureName, readExpected, writeCapture, type CaptureForm, type ExpectedFile } from './generate';
import { summariseProfile } from './hotspots';
import { measureLsp, type LspMeasurement } from './lspLatency';

/*
 * `npm run bench` (builds first): times the CLI against the floor of reading and splitting the
 * same file, per size and form, and the language server over real LSP; checks every run still
 * finds exactly the forged RSTs the generator planted. Markdown to stdout and bench-data/results.md.
 *
 *   tsx scripts/bench/bench.ts [--sizes 10000,100000,1000000] [--forms nv,v39] [--reps N]
 *                              [--no-lsp] [--no-in-process] [--lsp-size 100000] [--profile]
 *                              [--no-stdin] [--no-pcap] [--no-follow] [--follow-size 100000]
 *
 * Then, on the largest 4.99 capture: the CLI reading it from stdin (peak RSS), the same packets as
 * a pcap against `tcpdump -nv -r FILE > /dev/null` in the same run, and live mode's final word per
 * RST against the whole-file read. The target table holds the one-engine targets (issue 13).
 *
 * (b) "through the CLI's code path" is the shipped CLI itself: `node dist/cli.js --format json
 * FILE` in a fresh process (read, analyze, format, write). (a) is `node floor.cjs FILE` (read as
 * UTF-8, split on \n) in a fresh process. Both are timed the same way, spawn to exit, so the ratio
 * compares like with like; each run's peak RSS and V8 heap come from the child itself
 * (peakMemory.cjs, preloaded), so sizes never share a heap.
 */

const REPO = path.resolve(__dirname, '..', '..');
const DATA = path.join(REPO, 'bench-data');
const CLI = path.join(REPO, 'dist', 'cli.js');
const FLOOR = path.join(__dirname, 'floor.cjs');
const PRELOAD = path.join(__dirname, 'peakMemory.cjs');

interface ChildReport {
  maxRssBytes: number;
  cpuMs: number;
  heapTotalBytes: number;
  heapUsedBytes: number;
  inProcessMs: number;
}
interface ChildRun {
  wallMs: number;
  exitCode: number | null;
  report: ChildReport;
}

function runChild(args: readonly string[], stdoutFile?: string, stdinFile?: string): Promise<ChildRun> {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const input = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', PRELOAD, ...args], {
      stdio: [input, out, 'pipe', 'pipe'],
    });
    let stderr = '';
    let report = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdio[3]!.on('data', (d: Buffer) => (report += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (typeof out === 'number') closeSync(out);
      if (typeof input === 'number') closeSync(input);
      if (!report) return reject(new Error(`${args.join(' ')}: no memory report (exit ${code}): ${stderr}`));
      resolve({ wallMs, exitCode: code, report: JSON.parse(report) as ChildReport });
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The CLI's ttl-mismatch findings must be exactly the forged RSTs: a broken analysis is not fast, it is wrong. */
function checkFindings(jsonFile: string, expected: ExpectedFile): string | undefined {
  const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
    files: { packets: number; findings: { line: number; code: string }[] }[];
  };
  const file = json.files[0];
  const got = file.findings
    .filter((f) => f.code === 'ttl-mismatch')
    .map((f) => f.line)
    .sort((a, b) => a - b);
  const want = new Set(expected.forgedLines);
  const missing = expected.forgedLines.filter((l) => !got.includes(l));
  const extra = got.filter((l) => !want.has(l));
  if (file.packets !== expected.packets) return `parsed ${file.packets} packets, ${expected.packets} in the file`;
  if (missing.length || extra.length)
    return `missed forged RSTs on lines ${missing.slice(0, 5).join(', ') || '-'}; flagged lines ${extra.slice(0, 5).join(', ') || '-'} that are not forged`;
  return undefined;
}

interface Row {
  form: CaptureForm;
  expected: ExpectedFile;
  floorMs: number;
  cliMs: number;
  floorCpuMs: number;
  cliCpuMs: number;
  rssBytes: number;
  heapBytes: number;
  floorRssBytes: number;
  check: string | undefined;
}

async function measureSize(form: CaptureForm, expected: ExpectedFile, reps: number): Promise<Row> {
  const file = path.join(DATA, `${captureName(form, expected.packets)}.txt`);
  const jsonOut = path.join(DATA, `${captureName(form, expected.packets)}.findings.json`);
  const floors: ChildRun[] = [];
  const clis: ChildRun[] = [];
  let check: string | undefined;
  // Interleaved, so a burst of load from elsewhere on the machine hits both sides alike.
  for (let r = 0; r < reps; r++) {
    floors.push(await runChild([FLOOR, file]));
    const run = await runChild([CLI, '--format', 'json', file], jsonOut);
    if (run.exitCode !== 1) check ??= `CLI exited ${run.exitCode}, expected 1 (findings)`;
    check ??= checkFindings(jsonOut, expected);
    clis.push(run);
  }
  return {
    form,
    expected,
    floorMs: median(floors.map((f) => f.wallMs)),
    cliMs: median(clis.map((c) => c.wallMs)),
    floorCpuMs: median(floors.map((f) => f.report.cpuMs)),
    cliCpuMs: median(clis.map((c) => c.report.cpuMs)),
    rssBytes: Math.max(...clis.map((c) => c.report.maxRssBytes)),
    heapBytes: Math.max(...clis.map((c) => c.report.heapTotalBytes)),
    floorRssBytes: Math.max(...floors.map((f) => f.report.maxRssBytes)),
    check,
  };
}

/** The CLI reading the text from standard input (`-`): the streaming path, whose memory must not grow with the input. */
interface StdinRow {
  expected: ExpectedFile;
  ms: number;
  rssBytes: number;
  check: string | undefined;
}

async function measureStdin(expected: ExpectedFile, reps: number): Promise<StdinRow> {
  const file = path.join(DATA, `${captureName('nv', expected.packets)}.txt`);
  const jsonOut = path.join(DATA, `${captureName('nv', expected.packets)}.stdin.json`);
  const runs: ChildRun[] = [];
  let check: string | undefined;
  for (let r = 0; r < reps; r++) {
    const run = await runChild([CLI, '--format', 'json', '-'], jsonOut, file);
    if (run.exitCode !== 1) check ??= `CLI exited ${run.exitCode}, expected 1 (findings)`;
    check ??= checkFindings(jsonOut, expected);
    runs.push(run);
  }
  return {
    expected,
    ms: median(runs.map((x) => x.wallMs)),
    rssBytes: Math.max(...runs.map((x) => x.report.maxRssBytes)),
    check,
  };
}

/** The same packets as a pcap: the CLI against `tcpdump -nv -r FILE > /dev/null`, interleaved. */
interface PcapRow {
  expected: ExpectedFile;
  pcapBytes: number;
  cliMs: number;
  cliRssBytes: number;
  tcpdumpMs: number;
  /** Peak RSS of tcpdump from GNU time, when /usr/bin/time is there. */
  tcpdumpRssBytes: number | undefined;
  check: string | undefined;
}

function runTcpdump(pcap: string): Promise<{ wallMs: number; rssBytes: number | undefined }> {
  const gnuTime = existsSync('/usr/bin/time');
  const [cmd, args] = gnuTime
    ? ['/usr/bin/time', ['-f', '%M', 'tcpdump', '-nv', '-r', pcap]]
    : ['tcpdump', ['-nv', '-r', pcap]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`tcpdump -nv -r ${pcap} exited ${code}: ${stderr}`));
      const kb = gnuTime ? Number(/(\d+)\s*$/.exec(stderr.trim())?.[1]) : NaN;
      resolve({ wallMs, rssBytes: Number.isFinite(kb) ? kb * 1024 : undefined });
    });
  });
}

async function measurePcap(expected: ExpectedFile, reps: number): Promise<PcapRow> {
  const pcap = path.join(DATA, `${captureName('nv', expected.packets)}.pcap`);
  const jsonOut = path.join(DATA, `${captureName('nv', expected.packets)}.pcap.json`);
  const clis: ChildRun[] = [];
  const tcpdumps: { wallMs: number; rssBytes: number | undefined }[] = [];
  let check: string | undefined;
  for (let r = 0; r < reps; r++) {
    tcpdumps.push(await runTcpdump(pcap));
    const run = await runChild([CLI, '--format', 'json', pcap], jsonOut);
    if (run.exitCode !== 1) check ??= `CLI exited ${run.exitCode}, expected 1 (findings)`;
    check ??= checkFindings(jsonOut, expected);
    clis.push(run);
  }
  const rss = tcpdumps.map((t) => t.rssBytes).filter((x): x is number => x !== undefined);
  return {
    expected,
    pcapBytes: statSync(pcap).size,
    cliMs: median(clis.map((c) => c.wallMs)),
    cliRssBytes: Math.max(...clis.map((c) => c.report.maxRssBytes)),
    tcpdumpMs: median(tcpdumps.map((t) => t.wallMs)),
    tcpdumpRssBytes: rss.length ? Math.max(...rss) : undefined,
    check,
  };
}

const RANK: Record<string, number> = { none: -1, low: 0, medium: 1, high: 2 };

/**
 * Live mode (`--follow --format json`) on the whole text: per RST line, the standing word after the
 * last event (a retraction leaves none) against the whole-file read's. Counts the lines where live
 * mode ends higher (the target: none) and where it ends different at all.
 */
interface FollowRow {
  expected: ExpectedFile;
  ms: number;
  rssBytes: number;
  lines: number;
  higher: number;
  different: number;
  events: Record<string, number>;
}

async function measureFollow(expected: ExpectedFile): Promise<FollowRow> {
  const name = captureName('nv', expected.packets);
  const file = path.join(DATA, `${name}.txt`);
  const wholeOut = path.join(DATA, `${name}.whole.json`);
  const liveOut = path.join(DATA, `${name}.follow.jsonl`);
  await runChild([CLI, '--format', 'json', file], wholeOut);
  const run = await runChild([CLI, '--follow', '--format', 'json', file], liveOut);
  const whole = new Map<number, string>();
  const findings = (JSON.parse(readFileSync(wholeOut, 'utf8')) as { files: { findings: FollowJson[] }[] }).files[0]
    .findings;
  for (const f of findings) if (f.confidence) whole.set(f.line, f.confidence);
  const live = new Map<number, string>();
  const events: Record<string, number> = {};
  for (const line of readFileSync(liveOut, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as FollowJson;
    if (!e.confidence) continue;
    const kind = e.event ?? 'report';
    events[kind] = (events[kind] ?? 0) + 1;
    if (kind === 'retract') live.delete(e.line);
    else live.set(e.line, e.confidence);
  }
  let higher = 0;
  let different = 0;
  for (const l of new Set([...whole.keys(), ...live.keys()])) {
    const w = whole.get(l) ?? 'none';
    const v = live.get(l) ?? 'none';
    if (RANK[v] > RANK[w]) higher++;
    if (v !== w) different++;
  }
  return { expected, ms: run.wallMs, rssBytes: run.report.maxRssBytes, lines: live.size, higher, different, events };
}

interface FollowJson {
  line: number;
  confidence?: string;
  event?: string;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const sizeLabel = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

function cliTable(rows: readonly Row[], emptyNodeRss: number): string {
  const out = [
    '| form | packets | text MB | floor (a) ms | CLI (b) ms | (b)/(a) | CPU ms (a) / (b) | MB/s | packets/s | peak RSS MB | RSS / text | RSS − empty node / text | heap MB | findings |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const e = r.expected;
    out.push(
      `| ${r.form === 'nv' ? '4.99 -nv' : '3.9 -v'} | ${sizeLabel(e.packets)} | ${mb(e.bytes)} | ${r.floorMs.toFixed(0)} | ${r.cliMs.toFixed(0)} | ${(r.cliMs / r.floorMs).toFixed(2)} | ${r.floorCpuMs.toFixed(0)} / ${r.cliCpuMs.toFixed(0)} | ${(e.bytes / 1e6 / (r.cliMs / 1000)).toFixed(1)} | ${Math.round(e.packets / (r.cliMs / 1000)).toLocaleString('en-US')} | ${mb(r.rssBytes)} | ${(r.rssBytes / e.bytes).toFixed(2)} | ${((r.rssBytes - emptyNodeRss) / e.bytes).toFixed(2)} | ${mb(r.heapBytes)} | ${r.check ? `WRONG: ${r.check}` : `ok (${e.forgedLines.length} forged RSTs found, nothing else)`} |`,
    );
  }
  return out.join('\n');
}

interface InProcessRow {
  form: CaptureForm;
  expected: ExpectedFile;
  floorMs: number;
  analyzeMs: number;
}

const IN_PROCESS = path.join(DATA, 'inProcess.js');
let bundled: Promise<void> | undefined;

/** Bundles scripts/bench/inProcess.ts like the CLI (esbuild, node20), so both sides run plain node. */
async function bundleInProcess(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'inProcess.ts')],
    outfile: IN_PROCESS,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}

function runInProcess(mode: 'floor' | 'analyze', file: string): Promise<{ ms: number; packets: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [IN_PROCESS, mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { ms: number; packets: number })
        : reject(new Error(`inProcess ${mode} exited ${code}: ${err}`)),
    );
  });
}

async function measureInProcess(form: CaptureForm, expected: ExpectedFile, reps: number): Promise<InProcessRow> {
  // Bundled afresh once per run: the core may have changed since the last one.
  bundled ??= bundleInProcess();
  await bundled;
  const file = path.join(DATA, `${captureName(form, expected.packets)}.txt`);
  const floors: number[] = [];
  const analyses: number[] = [];
  for (let r = 0; r < reps; r++) {
    floors.push((await runInProcess('floor', file)).ms);
    const a = await runInProcess('analyze', file);
    if (a.packets !== expected.packets)
      throw new Error(`in-process analyze read ${a.packets} packets of ${expected.packets}`);
    analyses.push(a.ms);
  }
  return { form, expected, floorMs: median(floors), analyzeMs: median(analyses) };
}

function inProcessTable(rows: readonly InProcessRow[]): string {
  const out = [
    '| form | packets | read+split (a) ms | read+analyze (b) ms | (b)/(a) | analyze alone ms | MB/s | packets/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const e = r.expected;
    out.push(
      `| ${r.form === 'nv' ? '4.99 -nv' : '3.9 -v'} | ${sizeLabel(e.packets)} | ${r.floorMs.toFixed(0)} | ${r.analyzeMs.toFixed(0)} | ${(r.analyzeMs / r.floorMs).toFixed(2)} | ${(r.analyzeMs - r.floorMs).toFixed(0)} | ${(e.bytes / 1e6 / (r.analyzeMs / 1000)).toFixed(1)} | ${Math.round(e.packets / (r.analyzeMs / 1000)).toLocaleString('en-US')} |`,
    );
  }
  return out.join('\n');
}

const pass = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : verdict(ok));
const MiB = 1024 * 1024;

/** The one-engine targets (issue 13), each measured in this run; a row nobody could measure says so. */
function targetTable(
  rows: readonly Row[],
  lsps: readonly LspMeasurement[],
  stdin: StdinRow | undefined,
  pcap: PcapRow | undefined,
  follow: FollowRow | undefined,
): string {
  const out = ['| target | measured | result |', '|---|---|---|'];
  for (const form of ['nv', 'v39'] as const) {
    const label = form === 'nv' ? '4.99 -nv' : '3.9 -v';
    const big = rows.find((r) => r.form === form && r.expected.packets === 1e6);
    const mid = rows.find((r) => r.form === form && r.expected.packets === 1e5);
    if (big) {
      const ratio = big.cliMs / big.floorMs;
      out.push(
        `| ${label}: CLI ≤ 1.5× the floor at 1M packets (aim 1.2×) | ${ratio.toFixed(2)}× | ${verdict(ratio <= 1.5)} |`,
      );
      out.push(
        `| ${label}: peak RSS ≤ 2× the text at 1M packets | ${(big.rssBytes / big.expected.bytes).toFixed(2)}× (${mb(big.rssBytes)} MB for ${mb(big.expected.bytes)} MB) | ${verdict(big.rssBytes <= 2 * big.expected.bytes)} |`,
      );
    }
    if (big && mid)
      out.push(
        `| ${label}: 1M within 11× of 100k | ${(big.cliMs / mid.cliMs).toFixed(2)}× | ${verdict(big.cliMs <= 11 * mid.cliMs)} |`,
      );
  }
  if (stdin)
    out.push(
      `| CLI on stdin, ${sizeLabel(stdin.expected.packets)} packets (${mb(stdin.expected.bytes)} MB): peak RSS ≤ 256 MiB | ${(stdin.rssBytes / MiB).toFixed(0)} MiB, ${(stdin.ms / 1000).toFixed(1)} s${stdin.check ? `; WRONG: ${stdin.check}` : ''} | ${verdict(stdin.rssBytes <= 256 * MiB && !stdin.check)} |`,
    );
  if (pcap) {
    out.push(
      `| CLI on the ${sizeLabel(pcap.expected.packets)} pcap (${mb(pcap.pcapBytes)} MB): faster than \`tcpdump -nv -r\` | ${(pcap.cliMs / 1000).toFixed(1)} s vs ${(pcap.tcpdumpMs / 1000).toFixed(1)} s (${(pcap.cliMs / pcap.tcpdumpMs).toFixed(2)}×)${pcap.check ? `; WRONG: ${pcap.check}` : ''} | ${verdict(pcap.cliMs < pcap.tcpdumpMs && !pcap.check)} |`,
    );
    out.push(
      `| same: peak RSS ≤ 256 MiB | ${(pcap.cliRssBytes / MiB).toFixed(0)} MiB (tcpdump: ${pcap.tcpdumpRssBytes === undefined ? 'n/a' : `${(pcap.tcpdumpRssBytes / MiB).toFixed(0)} MiB`}) | ${verdict(pcap.cliRssBytes <= 256 * MiB)} |`,
    );
  }
  out.push(
    '| pcap editor, 100 MB pcap: first screen ≤ 1 s, whole-file findings with progress, extension host ≤ 256 MiB | no driver for the extension host in this benchmark | not measured |',
  );
  for (const lsp of lsps) {
    const m = lsp.mode;
    const n = sizeLabel(lsp.packets);
    const editBudget = m === 'push' ? 150 : 50;
    out.push(
      `| LSP ${n} ${m}: first diagnostics ≤ 500 ms after didOpen | ${lsp.firstDiagnosticsMs.toFixed(0)} ms | ${verdict(lsp.firstDiagnosticsMs <= 500)} |`,
    );
    out.push(
      `| LSP ${n} ${m}: after a one-line edit ≤ ${m === 'push' ? '100 ms debounce + 50 ms' : '50 ms'} (median of ${lsp.editMs.length}) | ${median(lsp.editMs).toFixed(0)} ms (min ${Math.min(...lsp.editMs).toFixed(0)}, max ${Math.max(...lsp.editMs).toFixed(0)}) | ${verdict(median(lsp.editMs) <= editBudget)} |`,
    );
    out.push(
      `| LSP ${n} ${m}: hover ≤ 5 ms (median of ${lsp.hoverMs.length}) | ${median(lsp.hoverMs).toFixed(2)} ms (p95 ${[...lsp.hoverMs].sort((a, b) => a - b)[Math.floor(lsp.hoverMs.length * 0.95)].toFixed(2)}) | ${verdict(median(lsp.hoverMs) <= 5)} |`,
    );
    out.push(
      `| LSP ${n} ${m}: server RSS ≤ 3× the document | ${lsp.serverPeakRssBytes === undefined ? 'n/a' : `${(lsp.serverPeakRssBytes / lsp.bytes).toFixed(2)}× (${mb(lsp.serverPeakRssBytes)} MB for ${mb(lsp.bytes)} MB)`} | ${pass(lsp.serverPeakRssBytes === undefined ? undefined : lsp.serverPeakRssBytes <= 3 * lsp.bytes)} |`,
    );
    out.push(
      `| LSP ${n} ${m}: diagnostics are exactly the forged RSTs | ${lsp.check ?? `ok (${lsp.forged})`} | ${verdict(lsp.check === undefined)} |`,
    );
  }
  if (follow)
    out.push(
      `| live mode (\`--follow\`, ${sizeLabel(follow.expected.packets)}): never a higher confidence at end of input than the whole-file read | ${follow.higher} of ${follow.lines} RSTs higher, ${follow.different} different; events ${JSON.stringify(follow.events)} | ${verdict(follow.higher === 0)} |`,
    );
  for (const r of rows)
    if (r.check)
      out.push(`| ${r.form} ${sizeLabel(r.expected.packets)}: finds exactly the forged RSTs | ${r.check} | MISS |`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const sizes = opt('--sizes', '10000,100000,1000000').split(',').map(Number);
  const forms = opt('--forms', 'nv,v39').split(',') as CaptureForm[];
  const lspSize = Number(opt('--lsp-size', '100000'));
  const repsFor = (n: number): number => Number(opt('--reps', n >= 1e6 ? '3' : '5'));
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm run bench does)`);
  mkdirSync(DATA, { recursive: true });
  const log = (s: string): boolean => process.stderr.write(`${s}\n`);

  const expectations = new Map<string, ExpectedFile>();
  for (const form of forms) {
    for (const n of new Set([...sizes, ...(form === 'nv' && !args.includes('--no-lsp') ? [lspSize] : [])])) {
      let e = readExpected(DATA, form, n);
      if (!e) {
        log(`generating ${captureName(form, n)} ...`);
        e = writeCapture(DATA, form, n);
      }
      expectations.set(captureName(form, n), e);
    }
  }

  const started = Date.now();
  const emptyNode = await runChild(['-e', '']);
  const rows: Row[] = [];
  for (const form of forms) {
    for (const n of sizes) {
      log(`measuring ${captureName(form, n)} (${repsFor(n)} runs each) ...`);
      rows.push(await measureSize(form, expectations.get(captureName(form, n))!, repsFor(n)));
    }
  }
  const lsp: LspMeasurement[] = [];
  if (!args.includes('--no-lsp')) {
    const e = expectations.get(captureName('nv', lspSize))!;
    for (const mode of ['push', 'pull'] as const) {
      log(`measuring the language server on ${captureName('nv', lspSize)} (${mode} diagnostics) ...`);
      lsp.push(await measureLsp(path.join(DATA, `${captureName('nv', lspSize)}.txt`), e, mode));
    }
  }
  const inProcess: InProcessRow[] = [];
  if (!args.includes('--no-in-process')) {
    for (const form of forms) {
      for (const n of sizes) {
        log(`measuring in-process read+split vs read+analyze on ${captureName(form, n)} ...`);
        inProcess.push(await measureInProcess(form, expectations.get(captureName(form, n))!, repsFor(n)));
      }
    }
  }

  // The streaming paths, on the largest 4.99 capture: stdin text, the same packets as a pcap
  // (against tcpdump itself), and live mode against the whole-file read.
  const largest = Math.max(...sizes);
  const big = forms.includes('nv') ? expectations.get(captureName('nv', largest)) : undefined;
  let stdin: StdinRow | undefined;
  let pcap: PcapRow | undefined;
  let follow: FollowRow | undefined;
  if (big && !args.includes('--no-stdin')) {
    log(`measuring the CLI on stdin with ${captureName('nv', largest)} ...`);
    stdin = await measureStdin(big, Math.min(repsFor(largest), 3));
  }
  if (big && !args.includes('--no-pcap')) {
    log(`measuring the CLI and tcpdump -nv -r on ${captureName('nv', largest)}.pcap ...`);
    pcap = await measurePcap(big, Math.min(repsFor(largest), 3));
  }
  const followSize = Number(opt('--follow-size', String(Math.min(largest, 100000))));
  const followCapture = expectations.get(captureName('nv', followSize));
  if (followCapture && !args.includes('--no-follow')) {
    log(`measuring live mode (--follow) against the whole-file read on ${captureName('nv', followSize)} ...`);
    follow = await measureFollow(followCapture);
  }

  const commit = (() => {
    try {
      return readFileSync(path.join(REPO, '.git', 'HEAD'), 'utf8').trim();
    } catch {
      return 'unknown';
    }
  })();
  const report = [
    `# tcpdump Lens benchmark`,
    '',
    `${new Date().toISOString()} · node ${process.version} · ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'} · load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} · ${commit} · ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
    `(a) floor: \`node scripts/bench/floor.cjs FILE\` (readFileSync utf8 + split('\\n')); (b) \`node dist/cli.js --format json FILE\`. Both wall time from spawn to exit, median of ${[...new Set(sizes.map(repsFor))].join('/')} runs; an empty node process takes ${emptyNode.wallMs.toFixed(0)} ms and ${mb(emptyNode.report.maxRssBytes)} MB RSS. Peak RSS and heap (V8 total heap size at exit) are the CLI's, the largest over its runs.`,
    '',
    cliTable(rows, emptyNode.report.maxRssBytes),
    '',
    inProcess.length
      ? `In-process (one process per side, timed inside it, so node's start-up is left out): (a) \`readFileSync\` + \`split('\\n')\`, (b) \`readFileSync\` + \`analyze()\` (scripts/bench/inProcess.ts, bundled like the CLI); median of ${[...new Set(sizes.map(repsFor))].join('/')} runs.`
      : '',
    '',
    inProcess.length ? inProcessTable(inProcess) : '',
    '',
    lsp.length
      ? `Language server: \`node dist/server.js --stdio\` over real LSP (test/support/lspClient.ts), ${sizeLabel(lsp[0].packets)} packets (${mb(lsp[0].bytes)} MB) opened as one document; ${lsp[0].editMs.length} one-line edits, ${lsp[0].hoverMs.length} hovers on packet lines, per diagnostics mode. Push: the server publishes after its 100 ms debounce (included). Pull: textDocument/diagnostic right after the edit.`
      : 'Language server: not measured (--no-lsp).',
    '',
    targetTable(rows, lsp, stdin, pcap, follow),
    '',
  ].join('\n');
  process.stdout.write(report);
  writeFileSync(path.join(DATA, 'results.md'), report);
  log(`written to ${path.join(DATA, 'results.md')}`);

  if (args.includes('--profile')) {
    const big = rows.find((r) => r.form === 'nv' && r.expected.packets === Math.max(...sizes)) ?? rows[rows.length - 1];
    const file = path.join(DATA, `${captureName(big.form, big.expected.packets)}.txt`);
    const dir = path.join(DATA, 'profiles');
    mkdirSync(dir, { recursive: true });
    const name = `cli-${captureName(big.form, big.expected.packets)}.cpuprofile`;
    log(`profiling node --cpu-prof dist/cli.js on ${file} ...`);
    await runChild(
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name, CLI, '--format', 'json', file],
      path.join(DATA, 'profile-findings.json'),
    );
    process.stdout.write(
      `\n## CPU profile: ${path.relative(REPO, path.join(dir, name))}\n\n${summariseProfile(path.join(dir, name), 25)}\n`,
    );
  }
  if (rows.some((r) => r.check) || lsp.some((l) => l.check)) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 2;
});
