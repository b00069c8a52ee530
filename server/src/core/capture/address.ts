/* Address text exactly as tcpdump -n prints it. */

export function ipv4Text(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** inet_ntop form (tcpdump's addrtostr6): longest run of ≥2 zero words becomes `::`, v4-mapped tail. */
export function ipv6Text(b: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // Embedded IPv4: ::a.b.c.d (compatible) and ::ffff:a.b.c.d (mapped).
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += ipv4Text(b, at + 12);
      break;
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Two lower-case hex digits by byte value, built once: every frame prints two MACs. */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function macText(b: Uint8Array, at: number): string {
  return `${HEX_BYTE[b[at]]}:${HEX_BYTE[b[at + 1]]}:${HEX_BYTE[b[at + 2]]}:${HEX_BYTE[b[at + 3]]}:${HEX_BYTE[b[at + 4]]}:${HEX_BYTE[b[at + 5]]}`;
}
