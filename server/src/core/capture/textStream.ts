import { CaptureStreamReader, type CaptureReaderOptions, type CaptureStreamEnd } from './container';
import { FrameRenderer, type FrameRendererOptions } from './render';

/*
 * pcap/pcapng bytes in chunks → tcpdump -nv text in chunks: a CaptureStreamReader and a
 * FrameRenderer together, for drivers that analyse the text as it is decoded (the CLI). Memory
 * follows the unfinished record and the renderer's capped conversations, not the file; the one
 * thing that grows with the file is the optional line → frame index, four bytes a frame.
 */

/**
 * Line (0-based, of the decoded text) → frame number, stored as each frame's first line in a
 * growable Uint32Array: frames are numbered 1, 2, 3 … in file order, so the frame of a line is
 * found by binary search, and a million frames take 4 MB instead of an array entry per line.
 */
export class FrameLineIndex {
  private firsts = new Uint32Array(1024);
  private frames = 0;
  private lines = 0;

  /** Frames recorded so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** The next frame (number `frameCount + 1`) takes the next `lineCount` lines. */
  add(lineCount: number): void {
    if (this.frames === this.firsts.length) {
      const grown = new Uint32Array(this.firsts.length * 2);
      grown.set(this.firsts);
      this.firsts = grown;
    }
    this.firsts[this.frames++] = this.lines;
    this.lines += lineCount;
  }

  /** The frame a line belongs to; undefined past the last frame's last line. */
  frameOf(line: number): number | undefined {
    if (!(line >= 0 && line < this.lines)) return undefined;
    let lo = 0;
    let hi = this.frames - 1;
    // The last frame whose first line is at or before `line`.
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.firsts[mid] <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

export interface CaptureTextOptions extends FrameRendererOptions {
  /** Given: every frame's lines are recorded in it, as they are rendered. */
  index?: FrameLineIndex;
  /** For the reader (see CaptureReaderOptions). */
  aliasChunks?: CaptureReaderOptions['aliasChunks'];
}

/**
 * Decodes a capture chunk by chunk into the text `renderCaptureAsText` gives for the whole file:
 * each frame's text and a newline. A second pass over the same file needs a new one (tcpdump's
 * relative sequence numbers start over), and gives the same text.
 */
export class CaptureTextStream {
  private readonly reader: CaptureStreamReader;
  private readonly renderer: FrameRenderer;
  private readonly index: FrameLineIndex | undefined;

  constructor(options: CaptureTextOptions = {}) {
    this.reader = new CaptureStreamReader({ aliasChunks: options.aliasChunks });
    this.renderer = new FrameRenderer(options);
    this.index = options.index;
  }

  /** True once damage stopped the reader: later bytes are ignored, so a caller may stop reading. */
  get stopped(): boolean {
    return this.reader.stopped;
  }

  /** The text of the frames `chunk` completed ('' when none did). */
  push(chunk: Uint8Array): string {
    let text = '';
    for (const frame of this.reader.push(chunk)) {
      const t = this.renderer.render(frame).text;
      if (this.index) this.index.add(countLines(t));
      text += `${t}\n`;
    }
    return text;
  }

  /** No more bytes: the totals, the reader's warnings (damage) then the renderer's, as `renderCaptureFrames` orders them. */
  end(): CaptureStreamEnd {
    const end = this.reader.end();
    return { ...end, warnings: [...end.warnings, ...this.renderer.end()] };
  }
}

/** Lines in a frame's text: one more than its '\n's (what the CLI always counted, `\r` included in a line). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
