import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, sanitizeInitialTtls, type AnalysisOptions, type Locale } from '../core/options';

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
  --format report  a Markdown report to hand on: per suspected forging device, where it
                   sits, every connection it reset, and the next step (--lang ja for Japanese)
  --summary        one line per suspected forging device instead of one per finding
  --lang LANG      en (default) or ja: the language of --format report and --summary
  --min-confidence LEVEL
                   report suspicious RSTs from this confidence up: low (default), medium, high
  --initial-ttls LIST
                   the initial TTLs senders start from, comma-separated (default 32,64,128,255)
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

export type Format = 'text' | 'json' | 'sarif' | 'report';

export interface CliArgs {
  files: string[];
  format: Format;
  packets: boolean;
  follow: boolean;
  /** Stream text files of any size in two passes (the default only above the in-memory limit). */
  stream: boolean;
  /** An input with no packet is no error. */
  allowEmpty: boolean;
  /** One line per suspected device instead of one per finding. */
  summary: boolean;
  /** The language of the report and the summary. */
  lang: Locale;
  /** What the analysis is told (the editor's settings, as options). */
  options: AnalysisOptions;
}

/** A command line that cannot run: exit 2 with this one-line message. */
export class UsageError extends Error {}

const OPTIONS = {
  format: { type: 'string' },
  packets: { type: 'boolean' },
  follow: { type: 'boolean' },
  stream: { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  summary: { type: 'boolean' },
  lang: { type: 'string' },
  'min-confidence': { type: 'string' },
  'initial-ttls': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const FORMAT_WORDS = 'text, json, sarif or report';
const VALUE_WORDS: Record<string, string> = {
  '--format': FORMAT_WORDS,
  '--lang': 'en or ja',
  '--min-confidence': 'low, medium or high',
  '--initial-ttls': 'a comma-separated list of TTLs (1-255)',
};

/**
 * Node's parseArgs messages run over several lines and suggest '--' quoting; a usage error here is
 * one line, naming the option as it was typed.
 */
function usageErrorFrom(e: { code?: string; message: string }): UsageError {
  const option = /'(-[^' ]*)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return new UsageError(`unknown option '${option}'`);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    // A missing value, or one that looks like the next option (`--format --packets`).
    if (VALUE_WORDS[option]) return new UsageError(`${option} takes ${VALUE_WORDS[option]}, not nothing`);
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
  if (format !== 'text' && format !== 'json' && format !== 'sarif' && format !== 'report')
    throw new UsageError(`--format takes ${FORMAT_WORDS}, not '${format}'`);
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'ja') throw new UsageError(`--lang takes ${VALUE_WORDS['--lang']}, not '${lang}'`);
  const minimum = values['min-confidence'] ?? 'low';
  if (minimum !== 'low' && minimum !== 'medium' && minimum !== 'high')
    throw new UsageError(`--min-confidence takes ${VALUE_WORDS['--min-confidence']}, not '${minimum}'`);
  let initialTtls = DEFAULT_OPTIONS.initialTtls;
  if (values['initial-ttls'] !== undefined) {
    const list = values['initial-ttls'].split(',').map((t) => t.trim());
    if (list.some((t) => !/^\d{1,3}$/.test(t) || Number(t) < 1 || Number(t) > 255))
      throw new UsageError(`--initial-ttls takes ${VALUE_WORDS['--initial-ttls']}, not '${values['initial-ttls']}'`);
    initialTtls = sanitizeInitialTtls(list.map(Number));
  }
  const args: CliArgs = {
    files: positionals,
    format,
    packets: values.packets ?? false,
    follow: values.follow ?? false,
    stream: values.stream ?? false,
    allowEmpty: values['allow-empty'] ?? false,
    summary: values.summary ?? false,
    lang,
    options: { ...DEFAULT_OPTIONS, initialTtls, minimumConfidence: minimum },
  };
  if (args.files.length === 0) throw new UsageError('no input file given');
  if (args.follow && args.files.length !== 1) throw new UsageError('--follow reads exactly one input (usually -)');
  if (args.follow && args.format === 'sarif')
    throw new UsageError('--follow prints findings as they come: use --format text or json, not sarif');
  if (args.follow && args.packets) throw new UsageError('--follow and --packets do not go together');
  if (args.packets && args.format === 'sarif')
    throw new UsageError('--packets prints JSON lines; --format sarif is for findings');
  if (args.follow && (args.format === 'report' || args.summary))
    throw new UsageError('--follow prints findings as they come: a report or summary needs the whole input');
  if (args.packets && (args.format === 'report' || args.summary))
    throw new UsageError('--packets prints JSON lines; --format report and --summary are for findings');
  if (args.summary && args.format !== 'text')
    throw new UsageError(`--summary prints text lines: not with --format ${args.format}`);
  return args;
}
