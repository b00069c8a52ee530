import { displayText, jsonForTerminal } from '../core/displayText';
import { describeLongLine, LINE_LIMIT, type LongLine } from '../core/streamParse';

/** Writes and waits until the stream took it, so a huge output cannot pile up in memory. */
export function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** JSON text, with the characters a terminal would act on as \u escapes (the same JSON value). */
export const writeJson = (json: string): Promise<void> => write(jsonForTerminal(json));

/** A message on standard error, made safe for the terminal: file names and capture text are anyone's. */
export function complain(message: string): void {
  process.stderr.write(`tcpdump-lens: ${displayText(message, true)}\n`);
}

/** Cut lines named one by one per file; past these, only counted. */
const LONG_LINE_NOTES = 10;

/** Lines cut to LINE_LIMIT, on stderr like the capture decoder's warnings: the first few, then a count. */
export class LongLineNotes {
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
