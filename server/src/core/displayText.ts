/*
 * Capture text is untrusted, and tcpdump prints host names as the resolver returns them: a name
 * can hold terminal escape sequences (clear the screen, retitle the window, plant a hyperlink) or
 * bidirectional-text controls that reorder what the reader sees. Wherever words meet a human
 * (terminal, hover, outline, hop map), they pass through `displayText` once, at that edge; data
 * outputs (JSON, SARIF) keep the exact text and leave it to their own escaping.
 */

/**
 * C0 controls, DEL, C1 controls, the bidi embedding / override / isolate / mark characters, and
 * the Unicode line and paragraph separators (editors break lines on them).
 */
/* eslint-disable no-control-regex -- control characters are what these match */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, but newline and tab: the layout of multi-line text. */
const UNSAFE_IN_LAYOUT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** The character as a visible escape: `\x1b` below U+0100, `\u202e` above. */
function visibleEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control and bidi character replaced by a visible escape (`\x1b`, `\u202e`),
 * so it can neither steer a terminal nor reorder itself. `multiline` keeps newline and tab, for
 * text whose lines are structure (hover Markdown); one-line text (a terminal line, a symbol name)
 * gets them escaped too, so a name cannot start a line of its own.
 */
export function displayText(text: string, multiline = false): string {
  return text.replace(multiline ? UNSAFE_IN_LAYOUT : UNSAFE, visibleEscape);
}

/**
 * JSON text (from JSON.stringify) with the characters `displayText` escapes, and that JSON.stringify
 * leaves raw (DEL, C1, bidi, U+2028/2029), written as `\uXXXX` escapes: the same JSON value, byte for
 * byte ASCII-safe on a terminal. Those characters can only occur inside JSON strings, so this is safe.
 */
export function jsonForTerminal(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
