import { renderCaptureFrames } from '../../../server/src/core/capture';

/*
 * The text a .pcap/.pcapng shows in the editor: what `TZ=UTC tcpdump -nv -r FILE` prints on
 * standard output, decoded here (no tcpdump needed), so lines and verdicts match the user's own
 * tcpdump text of the same file. Problems with the file follow as `tcpdump-lens:` lines, the way
 * tcpdump's own complaints start with `tcpdump:`; the text parser skips them.
 */

/** The URI scheme of the read-only text documents that show binary captures. */
export const CAPTURE_SCHEME = 'tcpdump-pcap';
/** Custom editor view type registered for *.pcap, *.pcapng, *.cap. */
export const CAPTURE_VIEW_TYPE = 'tcpdumpLens.capture';
/** Appended to the capture's path: the `.tcpdump` extension gives the document its language. */
export const CAPTURE_TEXT_SUFFIX = '.tcpdump';

export function captureDocumentText(bytes: Uint8Array): string {
  const rendered = renderCaptureFrames(bytes);
  const lines = rendered.frames.map((f) => f.text);
  for (const w of rendered.warnings) lines.push(`tcpdump-lens: ${w}`);
  if (rendered.frames.length === 0 && rendered.warnings.length === 0)
    lines.push('tcpdump-lens: the capture holds no packets');
  return lines.map((l) => `${l}\n`).join('');
}

export function readFailureText(file: string, message: string): string {
  return `tcpdump-lens: cannot read ${file}: ${message}\n`;
}
