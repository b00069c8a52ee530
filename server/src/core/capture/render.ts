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
  const warnings = [...container.warnings];
  const tcp: TcpConversations = new Map();
  const unsupported = new Map<number, number>();
  const frames: RenderedFrame[] = [];
  for (const frame of container.frames) {
    const numberText = options.numbered ? `${String(frame.number).padStart(5)}  ` : '';
    const invalid = invalidHeaderText(frame);
    if (invalid) {
      frames.push({ number: frame.number, linkType: frame.linkType, text: numberText + invalid });
      continue;
    }
    const prefix = numberText + timestampText(frame);
    let body: string;
    if (!(frame.linkType in SUPPORTED_LINK_TYPES)) {
      unsupported.set(frame.linkType, (unsupported.get(frame.linkType) ?? 0) + 1);
      body = `[unsupported link-type ${frame.linkType}, length ${frame.originalLength}]`;
    } else {
      body = printFrame(frame, tcp, warnings);
    }
    frames.push({ number: frame.number, linkType: frame.linkType, text: `${prefix} ${body}` });
  }
  for (const [linkType, count] of unsupported) {
    warnings.push(`link-type ${linkType} is not supported: ${count} frame(s) shown without decoding`);
  }
  return { format: container.format, frames, warnings };
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
