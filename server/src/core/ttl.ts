/** Initial TTLs in common use: 32 (old Windows 9x), 64 (Linux, macOS, BSD), 128 (Windows), 255 (network gear, Solaris ICMP). */
export const DEFAULT_INITIAL_TTLS: readonly number[] = [32, 64, 128, 255];

/**
 * The TTL a sender most likely started from: the smallest candidate not below the observed value.
 * Undefined when the observed value is above every candidate (a custom, too-small candidate set).
 * A TTL of 1 is an application's choice (eBGP, OSPF, PIM, IGMP and other link-local protocols): it
 * says the sender is adjacent and started from 1, not that it is 31 hops from 32.
 */
export function inferInitialTtl(
  observed: number,
  candidates: readonly number[] = DEFAULT_INITIAL_TTLS,
): number | undefined {
  if (observed === 1) return 1;
  let best: number | undefined;
  for (const c of candidates) {
    if (c >= observed && (best === undefined || c < best)) best = c;
  }
  return best;
}

/** Routers between the sender and the capture point, or undefined when the initial TTL is unknown. */
export function hopsFromTtl(
  observed: number,
  candidates: readonly number[] = DEFAULT_INITIAL_TTLS,
): number | undefined {
  const initial = inferInitialTtl(observed, candidates);
  return initial === undefined ? undefined : initial - observed;
}

/**
 * A packet tcpdump calls badly checksummed that the capturing host itself sent (0 hops, and not an
 * application's TTL 1, which any adjacent host may send): with checksum offloading that is normal.
 */
export function isOwnOffloadedPacket(
  p: { badChecksum?: boolean; ttl?: number },
  candidates: readonly number[] = DEFAULT_INITIAL_TTLS,
): boolean {
  return p.badChecksum === true && p.ttl !== undefined && p.ttl > 1 && inferInitialTtl(p.ttl, candidates) === p.ttl;
}
