/**
 * A binary capture opened as text: NULs and undecodable bytes where tcpdump text has none.
 * Only the start is looked at: pcap/pcapng headers are full of zero bytes.
 */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 4096);
  if (n === 0) return false;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) odd++;
  }
  return odd >= 4 && odd / n >= 0.02;
}
