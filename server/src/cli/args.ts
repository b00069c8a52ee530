import { parseArgs } from 'node:util';

export const USAGE = `usage: tcpdump-lens [options] FILE...
       tcpdump -nv -l | tcpdump-lens --follow -

Reads tcpdump text output (or a .pcap/.pcapng capture) and reports TCP RSTs whose TTL and
other evidence show that their claimed sender did not send them.

FILE is a text file of tcpdump output, '-' for standard input, or a pcap/pcapng capture
(recognized by its magic number and decoded as \`tcpdump -nv -r FILE\` would print it; line
numbers then refer to that text, and each finding names its frame).

  --format text    one line per finding: file:line:col: severity: message [code] (default)
  --format json    {"files":[{"file","packets","findings":[...]}]}; with --follow, one JSON
                   object per line as each finding is decided
  --format sarif   SARIF 2.1.0 log for code-scanning tools: one run, one rule per finding
                   code, results with level, message, 1-based regions and related locations
  --allow-empty    accept an input without a single packet (exit 0); by default an empty file,
                   or text in which no packet is found, is an error, so that a pipeline cannot
                   take "nothing was read" for "no forged RST"
  --packets        print one JSON object per parsed packet instead of findings
  --stream         stream every text file in two passes (bounded memory, about twice the
                   time); by default only files over 256 MB and standard input are streamed,
                   smaller files are read whole (about 3x their size in memory)
  --follow         live mode for \`tcpdump -nv -l | tcpdump-lens --follow -\`: reads one input
                   line by line and prints each finding as soon as the evidence decides it;
                   an RST that only later packets of its claimed sender make suspicious is
                   reported then, with "decided at line N", and again if later packets raise
                   its confidence. Bounded memory over any length of input (least recently
                   seen sources and conversations are forgotten first). Notes that need the
                   whole input (no TTLs, checksum offload) come when the input ends.
  -h, --help       this text
  --version        print the version

exit status: 0 no warning, 1 at least one warning, 2 usage, read or decode error, or an input
with no packet in it (the other inputs, and the readable frames of a damaged capture, are still
reported: the JSON and SARIF documents stay complete, SARIF's invocation says which input failed)`;

export type Format = 'text' | 'json' | 'sarif';

export interface CliArgs {
  files: string[];
  format: Format;
  packets: boolean;
  follow: boolean;
  /** Stream text files of any size in two passes (the default only above the in-memory limit). */
  stream: boolean;
  /** An input with no packet is no error. */
  allowEmpty: boolean;
}

/** A command line that cannot run: exit 2 with this one-line message. */
export class UsageError extends Error {}

const OPTIONS = {
  format: { type: 'string' },
  packets: { type: 'boolean' },
  follow: { type: 'boolean' },
  stream: { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const FORMAT_WORDS = 'text, json or sarif';

/**
 * Node's parseArgs messages run over several lines and suggest '--' quoting; a usage error here is
 * one line, naming the option as it was typed.
 */
function usageErrorFrom(e: { code?: string; message: string }): UsageError {
  const option = /'(-[^' ]*)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return new UsageError(`unknown option '${option}'`);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    // A missing value, or one that looks like the next option (`--format --packets`).
    if (option === '--format') return new UsageError(`--format takes ${FORMAT_WORDS}, not nothing`);
    return new UsageError(`${option} takes no value`);
  }
  return new UsageError(e.message.split('\n')[0]);
}

/** The command line, or 'help' / 'version' when asked for (they win over everything else on it). */
export function parseCliArgs(argv: readonly string[]): CliArgs | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    if (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS_'))
      throw usageErrorFrom(e as Error & { code: string });
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif')
    throw new UsageError(`--format takes ${FORMAT_WORDS}, not '${format}'`);
  const args: CliArgs = {
    files: positionals,
    format,
    packets: values.packets ?? false,
    follow: values.follow ?? false,
    stream: values.stream ?? false,
    allowEmpty: values['allow-empty'] ?? false,
  };
  if (args.files.length === 0) throw new UsageError('no input file given');
  if (args.follow && args.files.length !== 1) throw new UsageError('--follow reads exactly one input (usually -)');
  if (args.follow && args.format === 'sarif')
    throw new UsageError('--follow prints findings as they come: use --format text or json, not sarif');
  if (args.follow && args.packets) throw new UsageError('--follow and --packets do not go together');
  if (args.packets && args.format === 'sarif')
    throw new UsageError('--packets prints JSON lines; --format sarif is for findings');
  return args;
}
