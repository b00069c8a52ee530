import { readFileSync } from 'node:fs';
import { analyze, type Analysis, type Finding } from './core/analyze';
import { DEFAULT_OPTIONS } from './core/options';

/* `tcpdump-lens FILE... [--format text|json] [--packets]`: the core with a printer instead of LSP. */

const USAGE = `usage: tcpdump-lens FILE... [--format text|json] [--packets]

Reads tcpdump text output and reports TCP RSTs whose TTL shows that their claimed sender
did not send them.

  --format text   one line per finding: file:line:col: severity: message [code] (default)
  --format json   {"files":[{"file","packets","findings":[...]}]}
  --packets       print one JSON object per parsed packet instead of findings

exit status: 0 no warning, 1 at least one warning, 2 usage or read error`;

interface CliArgs {
  files: string[];
  format: 'text' | 'json';
  packets: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  const args: CliArgs = { files: [], format: 'text', packets: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--packets') args.packets = true;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format takes text or json, not ${v === undefined ? 'nothing' : `'${v}'`}`);
      args.format = v;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
    else args.files.push(a);
  }
  if (args.files.length === 0) throw new UsageError('no input file given');
  return args;
}

function severityWord(f: Finding): string {
  return f.severity === 'warning' ? 'warning' : 'info';
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    line: f.startLine + 1,
    column: f.startCharacter + 1,
    endLine: f.endLine + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
    source: 'tcpdump-lens',
    confidence: f.confidence,
    ttl: f.ttl,
    initialTtl: f.initialTtl,
    hops: f.hops,
    baselineHops: f.baselineHops,
  };
}

function packetJson(a: Analysis, index: number): Record<string, unknown> {
  const p = a.packets[index];
  const port = (v: string | undefined): number | string | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : v);
  return {
    line: p.startLine + 1,
    src: p.src,
    dst: p.dst,
    srcPort: port(p.srcPort),
    dstPort: port(p.dstPort),
    proto: p.proto,
    ttl: p.ttl,
    ipId: p.ipId,
    flags: p.flags,
  };
}

function main(argv: readonly string[]): number {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tcpdump-lens: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const results: { file: string; analysis: Analysis }[] = [];
  for (const file of args.files) {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      process.stderr.write(`tcpdump-lens: cannot read ${file}: ${why}\n`);
      return 2;
    }
    results.push({ file, analysis: analyze(text, DEFAULT_OPTIONS) });
  }

  const out: string[] = [];
  if (args.packets) {
    for (const { file, analysis } of results) {
      for (const p of analysis.packets) {
        const rec = packetJson(analysis, p.index);
        out.push(JSON.stringify(results.length > 1 ? { file, ...rec } : rec));
      }
    }
    process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
    return 0;
  }
  // Information notes (no TTLs, checksum offload) explain; only warnings fail a pipeline.
  const warnings = results.reduce((n, r) => n + r.analysis.findings.filter((f) => f.severity === 'warning').length, 0);
  if (args.format === 'json') {
    const json = {
      files: results.map(({ file, analysis }) => ({
        file,
        packets: analysis.packets.length,
        findings: analysis.findings.map(findingJson),
      })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    for (const { file, analysis } of results) {
      for (const f of analysis.findings) {
        out.push(`${file}:${f.startLine + 1}:${f.startCharacter + 1}: ${severityWord(f)}: ${f.message} [${f.code}]`);
      }
    }
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  }
  return warnings > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
