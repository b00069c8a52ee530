/* Character-level readers the text parsers share: parentheses, numbers, literals, word characters. */

/** Index just past the `)` that closes the `(` at `open`, or -1. */
export function closingParen(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i + 1;
  }
  return -1;
}

export function uint(text: string, max: number): number | undefined {
  if (text.length > 10) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

/** Index just past the digits at `i` of `s`, or -1 when there are none. */
export function digitsEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j === i ? -1 : j;
}

/**
 * The digits from `i` to `end` (see digitsEnd) as uint() reads them: undefined past `max` or 10
 * digits. Without a substring; and the end comes from digitsEnd, not a module-level variable, so
 * no parse leaves state behind.
 */
export function uintIn(s: string, i: number, end: number, max: number): number | undefined {
  if (end - i > 10) return undefined;
  let n = 0;
  for (let j = i; j < end; j++) n = n * 10 + (s.charCodeAt(j) - 48);
  return n > max ? undefined : n;
}

/** Index just past `literal` at `i` of `text`, or -1 when it is not there. */
export function past(text: string, i: number, literal: string): number {
  return text.startsWith(literal, i) ? i + literal.length : -1;
}

export function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
