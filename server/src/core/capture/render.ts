import { CapturedFrame, isBinaryCapture, readCaptureContainer } from './container';
import { SUPPORTED_LINK_TYPES, printLinkFrame } from './link';
import { PrintContext, TcpConversations, Truncation } from './printContext';

/*
 * .pcap/.pcapng bytes → the text `TZ=UTC tcpdump -nv -r FILE` prints (tcpdump 4.99), for the
 * fields the text parser reads. Never throws: damage becomes a warning, frames read so far stay.
 */

export { isBinaryCapture };

export interface RenderOptions {
  /** Prefix every frame with its number as `tcpdump -#` does (`%5u  `). */
  numbered?: boolean;
}

export interface RenderedFrame {
  number: number;
  linkType: number;
  /** The frame's text: first line starts with the timestamp; may span several lines. */
  text: string;
}

export interface RenderedCapture {
  format: 'pcap' | 'pcapng' | 'unknown';
  frames: RenderedFrame[];
  warnings: string[];
}

export function renderCaptureAsText(
  bytes: Uint8Array,
  options: RenderOptions = {},
): { text: string; packets: number; warnings: string[] } {
  const rendered = renderCaptureFrames(bytes, options);
  const text = rendered.frames.map((f) => f.text + '\n').join('');
  return { text, packets: rendered.frames.length, warnings: rendered.warnings };
}

export function renderCaptureFrames(bytes: Uint8Array, options: RenderOptions = {}): RenderedCapture {
  let container;
  try {
    container = readCaptureContainer(bytes);
  } catch (e) {
    return { format: 'unknown', frames: [], warnings: [`capture file could not be read: ${String(e)}`] };
  }
  const renderer = new FrameRenderer(options);
  const frames = container.frames.map((frame) => renderer.render(frame));
  return { format: container.format, frames, warnings: [...container.warnings, ...renderer.end()] };
}

/**
 * tcpdump prints relative TCP sequence numbers per conversation and keeps every conversation it
 * has seen. This keeps the most recently used `MAX_TCP_CONVERSATIONS`, so a capture of millions
 * of connections is decoded in bounded memory; a conversation evicted and then seen again starts
 * over as tcpdump starts a new one (its first packet prints absolute numbers). No capture in
 * test/fixtures or the tcpdump corpus comes near the cap, so their text is unchanged.
 */
export const MAX_TCP_CONVERSATIONS = 65536;

/** A Map that forgets its least recently used entries past `limit` (reads count as use). */
class RecentConversations extends Map<string, { seq: number; ack: number }> {
  constructor(private readonly limit: number) {
    super();
  }
  override get(key: string): { seq: number; ack: number } | undefined {
    const value = super.get(key);
    if (value !== undefined) {
      super.delete(key);
      super.set(key, value);
    }
    return value;
  }
  override set(key: string, value: { seq: number; ack: number }): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) super.delete(this.keys().next().value!);
    return this;
  }
}

export interface FrameRendererOptions extends RenderOptions {
  /** Conversations remembered for relative sequence numbers (default `MAX_TCP_CONVERSATIONS`). */
  maxTcpConversations?: number;
}

/**
 * Renders frames one at a time, in file order, as `renderCaptureFrames` renders a whole file: it
 * holds the state tcpdump carries from frame to frame (TCP conversations, bounded) and the
 * counts behind the end-of-file warnings. Pair it with `CaptureStreamReader` to print a capture
 * of any size in bounded memory; a new file (or a second pass over one) needs a new renderer.
 */
export class FrameRenderer {
  private readonly tcp: TcpConversations;
  private readonly unsupported = new Map<number, number>();
  private readonly decodeWarnings: string[] = [];

  constructor(private readonly options: FrameRendererOptions = {}) {
    this.tcp = new RecentConversations(Math.max(1, options.maxTcpConversations ?? MAX_TCP_CONVERSATIONS));
  }

  /** Conversations currently remembered. */
  get conversations(): number {
    return this.tcp.size;
  }

  render(frame: CapturedFrame): RenderedFrame {
    const numberText = this.options.numbered ? `${String(frame.number).padStart(5)}  ` : '';
    const invalid = invalidHeaderText(frame);
    if (invalid) return { number: frame.number, linkType: frame.linkType, text: numberText + invalid };
    const prefix = numberText + timestampText(frame);
    let body: string;
    if (!(frame.linkType in SUPPORTED_LINK_TYPES)) {
      this.unsupported.set(frame.linkType, (this.unsupported.get(frame.linkType) ?? 0) + 1);
      body = `[unsupported link-type ${frame.linkType}, length ${frame.originalLength}]`;
    } else {
      body = printFrame(frame, this.tcp, this.decodeWarnings);
    }
    return { number: frame.number, linkType: frame.linkType, text: `${prefix} ${body}` };
  }

  /** Warnings so far: decoder errors, by frame. */
  warnings(): string[] {
    return [...this.decodeWarnings];
  }

  /** Every warning, the unsupported link types' summary last, as `renderCaptureFrames` gives them. */
  end(): string[] {
    const out = [...this.decodeWarnings];
    for (const [linkType, count] of this.unsupported) {
      out.push(`link-type ${linkType} is not supported: ${count} frame(s) shown without decoding`);
    }
    return out;
  }
}

function printFrame(frame: CapturedFrame, tcp: TcpConversations, warnings: string[]): string {
  const c: PrintContext = { data: frame.data, snapEnd: frame.data.length, protocol: '', out: '', tcp, layers: 0 };
  try {
    printLinkFrame(c, frame.linkType, frame.originalLength);
  } catch (e) {
    if (e instanceof Truncation) c.out += ` [|${e.protocol}]`;
    else {
      warnings.push(
        `frame ${frame.number}: decoder error (${e instanceof Error ? e.message : String(e)}); frame shown as far as decoded`,
      );
      c.out += ' [decoder error]';
    }
  }
  return c.out;
}

/** tcpdump prints record headers it cannot trust this way, without timestamp (print.c). */
function invalidHeaderText(frame: CapturedFrame): string | undefined {
  const problems: string[] = [];
  const captured = frame.data.length;
  if (captured === 0) problems.push('caplen==0');
  if (frame.originalLength === 0) problems.push('len==0');
  else if (frame.originalLength < captured) problems.push(`len(${frame.originalLength}) < caplen(${captured})`);
  if (captured > 262144) problems.push(`caplen(${captured}) > 262144`);
  if (frame.originalLength > 262144) problems.push(`len(${frame.originalLength}) > 262144`);
  return problems.length ? `[Invalid header: ${problems.join(', ')}]` : undefined;
}

function timestampText(frame: CapturedFrame): string {
  const day = ((frame.seconds % 86400) + 86400) % 86400;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(day / 3600))}:${two(Math.floor(day / 60) % 60)}:${two(day % 60)}.${String(frame.micros).padStart(6, '0')}`;
}
