import { isBinaryCapture, renderCaptureFrames } from '../../../server/src/core/capture';

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

/** The parts of a URI that the check reads (a vscode.Uri has them all, already percent-decoded). */
export interface UriParts {
  scheme: string;
  authority: string;
  path: string;
  query: string;
  fragment: string;
}

/** What a `tcpdump-pcap:` document may read: one capture file, no query or fragment of its own. */
export interface CaptureFile {
  scheme: string;
  authority: string;
  path: string;
}

/** File name endings of captures: those the custom editor opens. */
export const CAPTURE_FILE_EXTENSIONS = ['.pcap', '.pcapng', '.cap'];

/** RFC 3986 appendix B, as vscode.Uri.parse splits a URI. */
const URI_PARTS = /^(?:([^:/?#]+?):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

function decoded(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

/**
 * The capture file a `tcpdump-pcap:` document URI (as captureTextUri builds it: the capture's path
 * + `.tcpdump`, the capture's URI as query) may read, or why it may not. Anyone can hand VS Code
 * such a URI (a link in a hover, a Markdown preview, another extension), so it is held to that
 * shape: one capture file (.pcap/.pcapng/.cap) named by an absolute path without `.`/`..`
 * segments or backslashes, no query or fragment (on either URI), no host for file: URIs (Windows
 * would open a UNC share), and the document's own path saying the same file, so the title shown
 * is the file read.
 */
export function captureFileOf(text: UriParts): { file: CaptureFile } | { refused: string } {
  const refused = (why: string): { refused: string } => ({ refused: why });
  if (text.scheme !== CAPTURE_SCHEME) return refused(`not a ${CAPTURE_SCHEME}: URI`);
  if (text.authority !== '' || text.fragment !== '') return refused(`a ${CAPTURE_SCHEME}: URI has no host or fragment`);
  const m = URI_PARTS.exec(text.query);
  if (!m || m[1] === undefined) return refused('it names no capture URI');
  if (m[4] !== undefined || m[5] !== undefined) return refused('the capture URI has a query or fragment');
  const scheme = m[1];
  const authority = decoded(m[2] ?? '');
  const path = decoded(m[3]);
  if (authority === undefined || path === undefined) return refused('the capture URI is malformed');
  if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme) || scheme.toLowerCase() === CAPTURE_SCHEME)
    return refused(`the capture URI's scheme '${scheme}' cannot name a capture file`);
  if (scheme.toLowerCase() === 'file' && authority !== '' && authority.toLowerCase() !== 'localhost')
    return refused('a file on another host is not opened');
  // eslint-disable-next-line no-control-regex
  if (!path.startsWith('/') || /[\\\u0000-\u001f]/.test(path))
    return refused('the capture path is not a plain absolute path');
  if (path.split('/').some((s) => s === '.' || s === '..')) return refused("the capture path holds '.' or '..'");
  const lower = path.toLowerCase();
  if (!CAPTURE_FILE_EXTENSIONS.some((e) => lower.endsWith(e)))
    return refused(`only ${CAPTURE_FILE_EXTENSIONS.join(', ')} files are opened as captures`);
  if (text.path !== path + CAPTURE_TEXT_SUFFIX) return refused('the document path does not name the capture it reads');
  return { file: { scheme, authority, path } };
}

/** Why bytes read for a capture document are not shown: they are not a pcap/pcapng capture. */
export function notACapture(bytes: Uint8Array): string | undefined {
  return isBinaryCapture(bytes) ? undefined : 'not a pcap or pcapng capture';
}
