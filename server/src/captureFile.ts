import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type ProgressToken,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { CaptureStreamReader, FrameRenderer, isBinaryCapture } from './core/capture';
import type { AnalysisOptions, Locale } from './core/options';
import { CaptureJudge, CaptureSurvey } from './core/streamAnalysis';
import { describeLongLine } from './core/streamParse';
import { TextChunkDecoder } from './textDecoding';
import { toDiagnostic } from './toLsp';

/*
 * "tcpdump Lens: Analyze Capture File…": VS Code does not hand files over 50 MB to extensions, so
 * the server reads the file itself, streaming it from disk in the two passes of
 * core/streamAnalysis.ts (memory follows sources and open conversations, not the file size; a
 * pcap/pcapng is decoded to tcpdump text frame by frame on the way, core/capture's stream reader), with
 * work-done progress by bytes read and cancellation, and publishes the findings for the file's
 * URI: they appear in the Problems panel without the file being open.
 */

export const ANALYZE_CAPTURE_FILE_METHOD = 'tcpdumpLens/analyzeCaptureFile';

export interface AnalyzeCaptureFileParams {
  /** The file, as a file: URI (VS Code's Uri.toString(), so diagnostics land on the same URI). */
  uri?: string;
  /** Or its path. */
  path?: string;
  /** A progress token the client listens on; without one the server asks the client for one. */
  workDoneToken?: ProgressToken;
}

export interface AnalyzeCaptureFileResult {
  uri: string;
  format: 'text' | 'pcap' | 'pcapng';
  bytes: number;
  packets: number;
  warnings: number;
  findings: number;
}

/** Lines cut to the line limit named one by one in the log; past these, only counted. */
const LONG_LINE_NOTES = 10;

/** Report progress at most this often (a 1 GB file reads in thousands of chunks). */
const PROGRESS_STEP_PERCENT = 1;

function target(params: AnalyzeCaptureFileParams): { uri: string; path: string } {
  if (params && typeof params.uri === 'string') {
    let file: string;
    try {
      file = fileURLToPath(params.uri);
    } catch {
      throw new ResponseError(ErrorCodes.InvalidParams, `not a file URI: ${params.uri}`);
    }
    return { uri: params.uri, path: file };
  }
  if (params && typeof params.path === 'string' && params.path.length > 0)
    return { uri: pathToFileURL(params.path).href, path: params.path };
  throw new ResponseError(ErrorCodes.InvalidParams, 'expected { uri } or { path } of the capture file');
}

async function startsLikeCapture(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return isBinaryCapture(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** One read of the file from its start, as text, telling `onBytes` how far it got. */
async function* textOf(file: string, onBytes: (n: number) => void): AsyncIterable<string> {
  const decoder = new TextChunkDecoder();
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
    onBytes((buf as Buffer).length);
    yield decoder.write(buf as Buffer);
  }
  yield decoder.end();
}

interface DecodedCapture {
  format: 'pcap' | 'pcapng' | 'unknown';
  frames: number;
  /** The reader's warnings (damage), then the renderer's (decoder errors, unsupported link types). */
  warnings: string[];
}

/**
 * One read of a pcap/pcapng from its start, decoded and printed as tcpdump -nv text as the bytes
 * come (one chunk of text per chunk read from disk); `onEnd` gets the totals once it is all read.
 */
async function* captureTextOf(
  file: string,
  onBytes: (n: number) => void,
  size: number,
  onEnd: (decoded: DecodedCapture) => void,
): AsyncIterable<string> {
  const reader = new CaptureStreamReader();
  const renderer = new FrameRenderer();
  let read = 0;
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
    read += (buf as Buffer).length;
    onBytes((buf as Buffer).length);
    let text = '';
    for (const frame of reader.push(buf as Buffer)) text += `${renderer.render(frame).text}\n`;
    if (text) yield text;
    if (reader.stopped) {
      // Past damage nothing more is decoded: the rest of the file counts as read.
      onBytes(Math.max(0, size - read));
      break;
    }
  }
  const end = reader.end();
  onEnd({ format: end.format, frames: end.frames, warnings: [...end.warnings, ...renderer.end()] });
}

/**
 * Registers the request. `optionsFor` gives the analysis options (settings) for a URI, as the
 * documents' analysis uses them; `localeOf`, the language the diagnostics are worded in.
 */
export function registerCaptureFileRequest(
  connection: Connection,
  optionsFor: (uri: string) => Promise<AnalysisOptions>,
  localeOf: () => Locale,
): void {
  connection.onRequest(
    ANALYZE_CAPTURE_FILE_METHOD,
    async (params: AnalyzeCaptureFileParams, token: CancellationToken): Promise<AnalyzeCaptureFileResult> => {
      const { uri, path: file } = target(params);
      let size: number;
      try {
        const s = await stat(file);
        if (!s.isFile()) throw new Error('not a regular file');
        size = s.size;
      } catch (e) {
        throw new ResponseError(ErrorCodes.InvalidParams, `cannot read ${file}: ${(e as Error).message}`);
      }
      const name = file.split(/[\\/]/).pop() ?? file;
      let reporter: WorkDoneProgressReporter;
      let progressCancel: CancellationToken | undefined;
      if (params.workDoneToken !== undefined) reporter = connection.window.attachWorkDoneProgress(params.workDoneToken);
      else {
        const created = await connection.window.createWorkDoneProgress();
        reporter = created;
        progressCancel = created.token;
      }
      const cancelled = (): boolean =>
        token.isCancellationRequested || progressCancel?.isCancellationRequested === true;
      reporter.begin(`tcpdump Lens: ${name}`, 0, 'reading', true);
      try {
        const options = await optionsFor(uri);
        const binary = await startsLikeCapture(file);
        let format: AnalyzeCaptureFileResult['format'] = 'text';
        let pass: () => AsyncIterable<string>;
        // Two passes over the bytes: the first half of the bar is the survey, the second the verdicts.
        let read = 0;
        let shown = 0;
        const onBytes = (n: number): void => {
          read += n;
          const percent = Math.min(99, Math.floor((read / Math.max(1, 2 * size)) * 100));
          if (percent >= shown + PROGRESS_STEP_PERCENT) {
            shown = percent;
            reporter.report(percent, read <= size ? 'reading' : 'judging RSTs');
          }
        };
        // A capture is decoded frame by frame as its bytes come, once per pass: memory follows the
        // open conversations, not the file size. The first pass learns its format and warnings.
        let decoded: DecodedCapture | undefined;
        if (binary) {
          pass = () =>
            captureTextOf(file, onBytes, size, (d) => {
              if (decoded) return;
              decoded = d;
              for (const w of d.warnings) connection.console.warn(`${name}: ${w}`);
            });
        } else {
          pass = () => textOf(file, onBytes);
        }

        const survey = new CaptureSurvey(options);
        for await (const chunk of pass()) {
          if (cancelled()) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'analysis cancelled');
          survey.push(chunk);
        }
        if (decoded && (decoded.format === 'unknown' || decoded.frames === 0)) {
          throw new ResponseError(
            ErrorCodes.InvalidParams,
            `cannot decode ${name}: ${decoded.warnings[0] ?? 'no frames'}`,
          );
        }
        if (decoded && decoded.format !== 'unknown') format = decoded.format;
        const summary = survey.end();
        // Logged like the decoder's warnings: a few by name, the rest counted.
        for (const l of summary.longLines.slice(0, LONG_LINE_NOTES))
          connection.console.warn(`${name}: ${describeLongLine(l, summary.lineLimit)}`);
        if (summary.longLines.length > LONG_LINE_NOTES)
          connection.console.warn(
            `${name}: ${summary.longLines.length - LONG_LINE_NOTES} more lines over ${summary.lineLimit} characters cut`,
          );
        const judge = new CaptureJudge(summary, options);
        const diagnostics: Diagnostic[] = [];
        let warnings = 0;
        const take = (findings: ReturnType<CaptureJudge['push']>): void => {
          for (const f of findings) {
            if (f.severity === 'warning') warnings++;
            diagnostics.push(toDiagnostic(f, uri, localeOf()));
          }
        };
        for await (const chunk of pass()) {
          if (cancelled()) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'analysis cancelled');
          take(judge.push(chunk));
        }
        take(judge.end());
        await connection.sendDiagnostics({ uri, diagnostics });
        return { uri, format, bytes: size, packets: summary.packets, warnings, findings: diagnostics.length };
      } finally {
        reporter.done();
      }
    },
  );
}
