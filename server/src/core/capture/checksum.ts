import { PrintContext } from './printContext';

/* The Internet checksum (RFC 1071; tcpdump's in_cksum.c) over byte ranges of the frame. */

export function sumRange(c: PrintContext, from: number, length: number, acc: number): number {
  const d = c.data;
  let i = from;
  const end = from + length;
  for (; i + 1 < end; i += 2) acc += (d[i] << 8) | d[i + 1];
  if (i < end) acc += d[i] << 8;
  return acc;
}
export function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}
/** tcpdump's in_cksum_shouldbe: the checksum value that would have made the sum come out right. */
export function checksumShouldBe(sum: number, computed: number): number {
  let s = ~sum & 0xffff;
  s += ~computed & 0xffff;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}
/** Checksum of a transport segment including its IPv4/IPv6 pseudo header (0 means correct). */
export function transportChecksum(
  c: PrintContext,
  ip: number,
  version: 4 | 6,
  at: number,
  length: number,
  proto: number,
): number {
  let acc = length + proto;
  if (version === 4) acc = sumRange(c, ip + 12, 8, acc);
  else acc = sumRange(c, ip + 8, 32, acc);
  return fold(sumRange(c, at, length, acc));
}
