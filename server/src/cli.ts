import {
  closeSync,
  createReadStream,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeStages, type Finding } from './core/analyze';
import { isBinaryCapture, renderCaptureFrames } from './core/capture';
import { describeFinding } from './core/describe';
import { displayText, jsonForTerminal } from './core/displayText';
import { DEFAULT_OPTIONS } from './core/options';
import { splitLines } from './core/parse';
import { capLines, describeLongLine, LINE_LIMIT, type LongLine, type StreamedPacket } from './core/streamParse';
import { CaptureJudge, CaptureSurvey, FollowAnalysis, TextIntake, type FollowEvent } from './core/streamAnalysis';
import { toPacketRecord } from './core/packetRecord';
import { artifactUriFromPath, toSarif } from './sarif';
import { decodeText, TextChunkDecoder } from './textDecoding';

/*
 * `tcpdump-lens`: the core with a printer instead of LSP. Text is streamed from disk in two passes
 * (see core/streamAnalysis.ts), so memory follows the number of sources and open conversations,
 * not the file size; standard input is spooled to a temporary file for the second pass.
 */

const USAGE = `usage: tcpdump-lens [options] FILE...
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

exit status: 0 no warning, 1 at least one warning, 2 usage, read or decode error, or an input
with no packet in it (the other inputs, and the readable frames of a damaged capture, are still
reported: the JSON and SARIF documents stay complete, SARIF's invocation says which input failed)`;

type Format = 'text' | 'json' | 'sarif';

interface CliArgs {
  files: string[];
  format: Format;
  packets: boolean;
  follow: boolean;
  /** Stream text files of any size in two passes (the default above IN_MEMORY_LIMIT only). */
  stream: boolean;
  /** An input with no packet is no error. */
  allowEmpty: boolean;
}

/**
 * Text files up to this size are read whole and analysed in one pass (about three times the file
 * in memory, twice as fast as two passes); larger ones, and standard input, are streamed.
 */
const IN_MEMORY_LIMIT = 256 * 1024 * 1024;

class UsageError extends Error {}
/** A file that cannot be read or decoded: exit 2 with this message. */
class InputError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  const args: CliArgs = { files: [], format: 'text', packets: false, follow: false, stream: false, allowEmpty: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--packets') args.packets = true;
    else if (a === '--follow') args.follow = true;
    else if (a === '--stream') args.stream = true;
    else if (a === '--allow-empty') args.allowEmpty = true;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (v !== 'text' && v !== 'json' && v !== 'sarif')
        throw new UsageError(`--format takes text, json or sarif, not ${v === undefined ? 'nothing' : `'${v}'`}`);
      args.format = v;
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
    else args.files.push(a);
  }
  if (args.files.length === 0) throw new UsageError('no input file given');
  if (args.follow && args.files.length !== 1) throw new UsageError('--follow reads exactly one input (usually -)');
  if (args.follow && args.format === 'sarif')
    throw new UsageError('--follow prints findings as they come: use --format text or json, not sarif');
  if (args.follow && args.packets) throw new UsageError('--follow and --packets do not go together');
  if (args.packets && args.format === 'sarif')
    throw new UsageError('--packets prints JSON lines; --format sarif is for findings');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Where a file's text comes from, and how to read it again for the second pass. */
interface TextSource {
  /** Fresh text chunks from the start, each call. */
  chunks(): AsyncIterable<string>;
  /** For decoded captures: line (0-based) → frame number. */
  frameOfLine?: (line: number) => number | undefined;
  /** The whole text at once, when it is small enough to hold: one pass instead of two. */
  wholeText?: () => string;
  /** A decoded capture was damaged (truncated, malformed blocks): the frames before it were read. */
  damaged?: boolean;
  dispose(): void;
}

function readError(file: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (e as Error).message;
  return new InputError(`cannot read ${file}: ${why}`);
}

function startsLikeCapture(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return isBinaryCapture(head.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** A pcap/pcapng decoded to tcpdump -nv text. The decoder takes the whole file in memory. */
function decodedCapture(file: string, bytes: Uint8Array): TextSource {
  const rendered = renderCaptureFrames(bytes);
  for (const w of rendered.warnings) complain(`${file}: ${w}`);
  if (rendered.format === 'unknown' || (rendered.frames.length === 0 && rendered.warnings.length > 0)) {
    throw new InputError(`cannot decode ${file}: ${rendered.warnings[0] ?? 'not a pcap or pcapng capture'}`);
  }
  const frameAt: number[] = [];
  const texts = rendered.frames.map((f) => {
    const lines = f.text.split('\n').length;
    for (let i = 0; i < lines; i++) frameAt.push(f.number);
    return `${f.text}\n`;
  });
  return {
    async *chunks() {
      yield* texts;
    },
    frameOfLine: (line) => frameAt[line],
    // Unsupported link types are shown undecoded, as tcpdump does; anything else is damage.
    damaged: rendered.warnings.some((w) => !/^link-type \d+ is not supported/.test(w)),
    dispose() {},
  };
}

async function* fileChunks(file: string): AsyncIterable<string> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  const decoder = new TextChunkDecoder();
  try {
    for await (const chunk of stream) yield decoder.write(chunk as Buffer);
  } catch (e) {
    throw readError(file, e);
  }
  yield decoder.end();
}

/** Whether a path's stat is the file behind this process's standard input. */
function isStandardInput(s: Stats): boolean {
  try {
    const stdin = fstatSync(0);
    return stdin.dev === s.dev && stdin.ino === s.ino;
  } catch {
    return false;
  }
}

/** A pipe's bytes, read once from where the writer starts; errors name the path. */
async function* pipeBytes(file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
  } catch (e) {
    throw readError(file, e);
  }
}

/**
 * A file to analyse. `live`: for --follow, a pipe is read as it comes instead of spooled.
 * Pipes, FIFOs and devices named as paths (`<(…)`, mkfifo, /dev/stdin fed by a pipe) cannot seek
 * nor be read twice: they are read like standard input, sniffed from their first bytes.
 */
async function openFile(file: string, stream = true, live = false): Promise<TextSource> {
  let size: number;
  try {
    const s = statSync(file);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!s.isFile()) {
      // Our own standard input by another name (/dev/stdin): read it as such, since a socket (what
      // Node's spawn gives a child) cannot be opened again by path.
      const input = isStandardInput(s) ? standardInput() : pipeBytes(file);
      return await (live ? openLiveStdin : openStdin)(input, file);
    }
    size = s.size;
    if (startsLikeCapture(file)) return decodedCapture(file, readFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw readError(file, e);
  }
  const whole = !stream && size <= IN_MEMORY_LIMIT;
  return {
    chunks: () => fileChunks(file),
    ...(whole
      ? {
          wholeText: () => {
            try {
              return decodeText(readFileSync(file));
            } catch (e) {
              throw readError(file, e);
            }
          },
        }
      : {}),
    dispose() {},
  };
}

const standardInput = (): AsyncIterator<Buffer> => process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

/**
 * The first bytes of standard input (or of a pipe named `name`); a capture (`tcpdump -w - |
 * tcpdump-lens -`) is read whole and decoded.
 */
async function startStdin(
  stdin: AsyncIterator<Buffer> = standardInput(),
  name = '-',
): Promise<{
  stdin: AsyncIterator<Buffer>;
  first: IteratorResult<Buffer>;
  capture?: TextSource;
}> {
  // A writer may hand over the magic number in pieces: sniff once four bytes (or the end) are in.
  const parts: Buffer[] = [];
  let length = 0;
  for (let r = await stdin.next(); !r.done; r = await stdin.next()) {
    parts.push(r.value);
    length += r.value.length;
    if (length >= 4) break;
  }
  const head = Buffer.concat(parts);
  const first: IteratorResult<Buffer> = length > 0 ? { done: false, value: head } : { done: true, value: undefined };
  if (!isBinaryCapture(head)) return { stdin, first };
  for (let r = await stdin.next(); !r.done; r = await stdin.next()) parts.push(r.value);
  return { stdin, first, capture: decodedCapture(name, Buffer.concat(parts)) };
}

/**
 * Standard input (or a pipe named `name`): a capture (`tcpdump -w - | tcpdump-lens -`) is decoded
 * in memory; text is copied to a temporary file as it is read, so the second pass reads that
 * instead of memory.
 */
async function openStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input, name);
  if (capture) return capture;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-'));
  const spool = path.join(dir, 'stdin.txt');
  const fd = openSync(spool, 'w');
  let spooled = false;
  let firstRead = true;
  return {
    async *chunks() {
      if (!firstRead) {
        yield* fileChunks(spool);
        return;
      }
      firstRead = false;
      const decoder = new TextChunkDecoder();
      try {
        for (let r: IteratorResult<Buffer> = first; !r.done; r = await stdin.next()) {
          writeSync(fd, r.value);
          yield decoder.write(r.value);
        }
        yield decoder.end();
      } finally {
        closeSync(fd);
        spooled = true;
      }
    },
    dispose() {
      if (!spooled) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

/** Cut lines named one by one per file; past these, only counted. */
const LONG_LINE_NOTES = 10;

/** Lines cut to LINE_LIMIT, on stderr like the capture decoder's warnings: the first few, then a count. */
class LongLineNotes {
  private named = 0;
  private more = 0;

  constructor(private readonly file: string) {}

  add(lines: readonly LongLine[]): void {
    for (const l of lines) {
      if (this.named === LONG_LINE_NOTES) this.more++;
      else {
        this.named++;
        process.stderr.write(`tcpdump-lens: ${this.file}: ${describeLongLine(l, LINE_LIMIT)}\n`);
      }
    }
  }

  end(): void {
    if (this.more > 0)
      process.stderr.write(`tcpdump-lens: ${this.file}: ${this.more} more lines over ${LINE_LIMIT} characters cut\n`);
  }
}

function severityWord(f: Finding): string {
  return f.severity === 'warning' ? 'warning' : 'info';
}

function findingJson(f: Finding, frame: number | undefined): Record<string, unknown> {
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
function findingText(file: string, f: Finding, frame: number | undefined): string {
  return displayText(
    `${file}:${f.startLine + 1}:${f.startCharacter + 1}: ${severityWord(f)}: ${describeFinding(f, 'en')} [${f.code}]${frame !== undefined ? ` (frame ${frame})` : ''}`,
  );
}

function toolVersion(): string {
  try {
    // dist/cli.js sits beside the package's package.json (npx, a checkout, an installed package).
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/** Writes and waits until the stream took it, so a huge output cannot pile up in memory. */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** JSON text, with the characters a terminal would act on as \u escapes (the same JSON value). */
const writeJson = (json: string): Promise<void> => write(jsonForTerminal(json));

/** A message on standard error, made safe for the terminal: file names and capture text are anyone's. */
function complain(message: string): void {
  process.stderr.write(`tcpdump-lens: ${displayText(message, true)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Modes

/** Receives each file's findings in line order as the second pass releases them. */
interface FindingPrinter {
  file(name: string, packets: number, frameOfLine?: (line: number) => number | undefined): Promise<void>;
  findings(list: readonly Finding[]): Promise<void>;
  /** Ends the document; `problems` are the inputs that make the run fail (also said on stderr). */
  end(problems: readonly InputProblem[]): Promise<void>;
}

/** An input that fails the run (exit 2): unreadable, undecodable, damaged, or without packets. */
interface InputProblem {
  file: string;
  message: string;
}

const indent = (text: string, by: number): string => text.replace(/^/gm, ' '.repeat(by));

/** Text: one line per finding, written as found. */
function textPrinter(): FindingPrinter {
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
function jsonPrinter(): FindingPrinter {
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
function sarifPrinter(): FindingPrinter {
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

/** Analyses one input (whole, or in both streamed passes); returns how many packets it read and warnings it printed. */
async function analyzeSource(
  file: string,
  source: TextSource,
  printer: FindingPrinter,
): Promise<{ packets: number; warnings: number }> {
  if (source.wholeText) {
    // The same findings as the streamed passes (test/core/streamAnalysis.test.ts proves it), long
    // lines cut as they cut them.
    const text = source.wholeText();
    const lines = splitLines(text);
    const notes = new LongLineNotes(file);
    notes.add(capLines(lines));
    notes.end();
    const { analysis } = analyzeStages(text, DEFAULT_OPTIONS, lines);
    await printer.file(file, analysis.packets.length, source.frameOfLine);
    await printer.findings(analysis.findings);
    return {
      packets: analysis.packets.length,
      warnings: analysis.findings.filter((f) => f.severity === 'warning').length,
    };
  }
  const survey = new CaptureSurvey(DEFAULT_OPTIONS);
  for await (const chunk of source.chunks()) survey.push(chunk);
  const summary = survey.end();
  const notes = new LongLineNotes(file);
  notes.add(summary.longLines);
  notes.end();
  await printer.file(file, summary.packets, source.frameOfLine);
  const judge = new CaptureJudge(summary, DEFAULT_OPTIONS);
  let warnings = 0;
  const print = async (list: Finding[]): Promise<void> => {
    for (const f of list) if (f.severity === 'warning') warnings++;
    await printer.findings(list);
  };
  for await (const chunk of source.chunks()) await print(judge.push(chunk));
  await print(judge.end());
  return { packets: summary.packets, warnings };
}

/** The message for an input without packets, which fails the run unless --allow-empty. */
const noPackets = (file: string): string => `no packets found in ${file === '-' ? 'standard input' : file}`;

/** Prints every input's packets; returns false when an input could not be read (the others still are). */
async function printPackets(
  files: readonly string[],
  sources: (file: string) => Promise<TextSource>,
): Promise<boolean> {
  let ok = true;
  for (const file of files) {
    try {
      const source = await sources(file);
      try {
        const intake = new TextIntake(false);
        const notes = new LongLineNotes(file);
        const packets: StreamedPacket[] = [];
        const flush = async (): Promise<void> => {
          if (packets.length === 0) return;
          const out = packets.map((sp) =>
            JSON.stringify(files.length > 1 ? { file, ...toPacketRecord(sp.packet) } : toPacketRecord(sp.packet)),
          );
          packets.length = 0;
          await writeJson(`${out.join('\n')}\n`);
        };
        for await (const chunk of source.chunks()) {
          intake.push(chunk, packets);
          notes.add(intake.takeLongLines());
          await flush();
        }
        intake.end(packets);
        notes.add(intake.takeLongLines());
        notes.end();
        await flush();
      } finally {
        source.dispose();
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      complain(e.message);
      ok = false;
    }
  }
  return ok;
}

async function follow(file: string, source: TextSource, format: Format, allowEmpty: boolean): Promise<number> {
  const live = new FollowAnalysis(DEFAULT_OPTIONS);
  // The warnings that stand, by the line of their RST: a lowered or withdrawn one no longer counts.
  const standing = new Map<number, Finding>();
  const print = async (events: FollowEvent[]): Promise<void> => {
    if (events.length === 0) return;
    const out = events.map((e) => {
      const f = e.finding;
      if (e.retracted) standing.delete(f.startLine);
      else standing.set(f.startLine, f);
      const frame = source.frameOfLine?.(f.startLine);
      const event = followEventKind(e);
      if (format === 'json') {
        return jsonForTerminal(
          JSON.stringify({
            file,
            event,
            ...findingJson(f, frame),
            decidedAtLine: e.decidedAtLine + 1,
            ...(e.raisedFrom ? { raisedFrom: e.raisedFrom } : {}),
            ...(e.loweredFrom ? { loweredFrom: e.loweredFrom } : {}),
          }),
        );
      }
      const at = e.decidedAtLine + 1;
      if (e.retracted) {
        return displayText(
          `${file}:${f.startLine + 1}:${f.startCharacter + 1}: withdrawn: the ${f.confidence ?? ''} report on this RST no longer stands: packets up to line ${at} explain it [${f.code}]${frame !== undefined ? ` (frame ${frame})` : ''}`,
        );
      }
      const note =
        event === 'raise'
          ? ` (confidence raised from ${e.raisedFrom} at line ${at})`
          : event === 'lower'
            ? ` (confidence lowered from ${e.loweredFrom} at line ${at}: later packets weaken it)`
            : e.decidedAtLine > f.endLine
              ? ` (decided at line ${at}, when later packets arrived)`
              : '';
      return `${findingText(file, f, frame)}${note}`;
    });
    await write(`${out.join('\n')}\n`);
  };
  const notes = new LongLineNotes(file);
  for await (const chunk of source.chunks()) {
    await print(live.push(chunk));
    notes.add(live.takeLongLines());
  }
  await print(live.end());
  notes.add(live.takeLongLines());
  notes.end();
  if (live.packetCount === 0 && !allowEmpty) {
    complain(`${noPackets(file)} (--allow-empty accepts that)`);
    return 2;
  }
  return [...standing.values()].some((f) => f.severity === 'warning') ? 1 : 0;
}

/** How a live report changes what stands: the first word on an RST, or a later change of it. */
function followEventKind(e: FollowEvent): 'report' | 'raise' | 'lower' | 'retract' {
  return e.retracted ? 'retract' : e.raisedFrom ? 'raise' : e.loweredFrom ? 'lower' : 'report';
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    complain(e.message);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stream = args.stream;
  const sources = (file: string): Promise<TextSource> => (file === '-' ? openStdin() : openFile(file, stream));
  try {
    if (args.packets) return (await printPackets(args.files, sources)) ? 0 : 2;
    if (args.follow) {
      const file = args.files[0];
      // Live input is read once: no spooling, no second pass.
      const source = file === '-' ? await openLiveStdin() : await openFile(file, true, true);
      try {
        return await follow(file, source, args.format, args.allowEmpty);
      } finally {
        source.dispose();
      }
    }
    const printer = args.format === 'sarif' ? sarifPrinter() : args.format === 'json' ? jsonPrinter() : textPrinter();
    let warnings = 0;
    const problems: InputProblem[] = [];
    const damaged: string[] = [];
    for (const file of args.files) {
      // One bad input fails the run, but the others are still read and the document still ends.
      try {
        const source = await sources(file);
        try {
          const read = await analyzeSource(file, source, printer);
          warnings += read.warnings;
          if (source.damaged) damaged.push(file);
          if (read.packets === 0 && !args.allowEmpty) {
            complain(`${noPackets(file)} (--allow-empty accepts that)`);
            problems.push({ file, message: noPackets(file) });
          }
        } finally {
          source.dispose();
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        complain(e.message);
        problems.push({ file, message: e.message });
      }
    }
    const damage = (file: string): string => `damaged capture: ${file} (findings cover the frames before the damage)`;
    await printer.end([...problems, ...damaged.map((file) => ({ file, message: damage(file) }))]);
    // Like tcpdump on a truncated file: what could be read is reported, the run still fails.
    if (damaged.length) complain(damage(damaged.join(', ')));
    if (problems.length || damaged.length) return 2;
    // Information notes (no TTLs, checksum offload) explain; only warnings fail a pipeline.
    return warnings > 0 ? 1 : 0;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    complain(e.message);
    return 2;
  }
}

/** Standard input (or a pipe) for --follow: text as it comes, or a capture decoded once it has all arrived. */
async function openLiveStdin(input: AsyncIterator<Buffer> = standardInput(), name = '-'): Promise<TextSource> {
  const { stdin, first, capture } = await startStdin(input, name);
  if (capture) return capture;
  return {
    async *chunks() {
      const decoder = new TextChunkDecoder();
      for (let r: IteratorResult<Buffer> = first; !r.done; r = await stdin.next()) yield decoder.write(r.value);
      yield decoder.end();
    },
    dispose() {},
  };
}

// A reader that stops early (`| head`) is no error of ours: stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    complain(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 2;
  },
);
