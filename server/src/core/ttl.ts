/** Initial TTLs in common use: 32 (old Windows 9x), 64 (Linux, macOS, BSD), 128 (Windows), 255 (network gear, Solaris ICMP). */
export const DEFAULT_INITIAL_TTLS: readonly number[] = [32, 64, 128, 255];

/**
 * The TTL a sender most likely started from: the smallest candidate not below the observed value.
 * Undefined when the observed value is above every candidate (a custom, too-small candidate set).
 */
export function inferInitialTtl(
  observed: number,
  candidates: readonly number[] = DEFAULT_INITIAL_TTLS,
): number | undefined {
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
