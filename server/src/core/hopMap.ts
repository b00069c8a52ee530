import type { Analysis } from './analyze';
import { CONFIDENCE_RANK } from './options';
import { inferInitialTtl } from './ttl';
import type { Confidence } from './verdict';

/*
 * The hop map: where each sender sits on the path, measured in hops from the capture point, as
 * plain data for the client to draw. Nothing here decides anything new: distances come from the
 * packets' TTLs and "suspicious" comes from the analysis' verdicts.
 */

/** All packets one source sent from one distance. */
export interface HopMapDistance {
  hops: number;
  /** How many packets arrived from this distance. */
  packets: number;
  /** 0-based line of the first such packet (the one a click reveals). */
  firstLine: number;
  /** Observed TTLs, ascending. */
  ttls: number[];
  /** Initial TTLs those packets were inferred to start from, ascending. */
  initialTtls: number[];
}

export interface HopMapSource {
  address: string;
  /** One entry per distance the address was seen at, hops ascending. */
  distances: HopMapDistance[];
  /** All its packets, over every distance. */
  packets: number;
}

/** Suspicious RSTs that claim the same sender and arrived from the same distance. */
export interface HopMapResetGroup {
  /** The source address the RSTs carry (the host they pretend to come from). */
  claimedSource: string;
  /** Where the real sender sits: hops from the capture point. */
  hops: number;
  /** Observed TTLs, ascending. */
  ttls: number[];
  initialTtl: number;
  /** 0-based first lines of the RST packets, ascending. */
  lines: number[];
  /** Distances the claimed source's own (non-RST) packets arrived from, ascending. */
  claimedSourceHops: number[];
  /** Of those, the one nearest the RSTs' distance (absent when there are none). */
  nearestClaimedHops?: number;
  /** How sure the analysis is that the claimed sender did not send them. */
  confidence: Confidence;
}

export interface HopMap {
  sources: HopMapSource[];
  suspiciousResets: HopMapResetGroup[];
  /** Largest distance anything on the map sits at (0 when the map is empty). */
  maxHops: number;
  /** Packets in the document, and how many of them carried a usable TTL. */
  packetCount: number;
  packetsWithHops: number;
}

const ascending = (a: number, b: number): number => a - b;

function insertSorted(values: number[], value: number): void {
  if (values.includes(value)) return;
  values.push(value);
  values.sort(ascending);
}

/**
 * Builds the hop map from one analysis. Sources are placed from every packet with a usable TTL
 * except suspicious RSTs: those do not show where their claimed sender is (that is the point),
 * so they are drawn on their own, where their TTL says their real sender sits. A suspicious RST
 * without a usable TTL has no place on a map of distances and is left out.
 */
export function buildHopMap(analysis: Analysis): HopMap {
  const { packets, verdictByPacket, options } = analysis;
  const bySource = new Map<string, Map<number, HopMapDistance>>();
  const resetGroups = new Map<string, HopMapResetGroup>();
  let maxHops = 0;
  let packetsWithHops = 0;

  for (const p of packets) {
    if (p.ttl === undefined) continue;
    const initialTtl = inferInitialTtl(p.ttl, options.initialTtls);
    if (initialTtl === undefined) continue;
    const hops = initialTtl - p.ttl;
    packetsWithHops++;

    const verdict = verdictByPacket.get(p.index);
    if (verdict?.status === 'suspicious') {
      const confidence = verdict.confidence ?? 'low';
      // Below the configured minimum the editor shows no warning: the map does not cry forgery either.
      // Such an RST is no evidence of where its claimed sender sits, so it is not drawn at all.
      if (CONFIDENCE_RANK[confidence] < CONFIDENCE_RANK[options.minimumConfidence]) continue;
      if (hops > maxHops) maxHops = hops;
      const key = `${p.src}\u0000${hops}\u0000${initialTtl}\u0000${confidence}`;
      let group = resetGroups.get(key);
      if (!group) {
        // The claimed sender's own distances: the same packets its lane is drawn from. A verdict
        // may rest on other evidence than distance, so there need not be any.
        const claimedSourceHops = verdict.baseline ? [...verdict.baseline.byHops.keys()].sort(ascending) : [];
        group = { claimedSource: p.src, hops, ttls: [], initialTtl, lines: [], claimedSourceHops, confidence };
        const nearest = nearestTo(hops, claimedSourceHops);
        if (nearest !== undefined) group.nearestClaimedHops = nearest;
        resetGroups.set(key, group);
      }
      insertSorted(group.ttls, p.ttl);
      group.lines.push(p.startLine);
      continue;
    }

    if (hops > maxHops) maxHops = hops;
    let distances = bySource.get(p.src);
    if (!distances) {
      distances = new Map();
      bySource.set(p.src, distances);
    }
    const at = distances.get(hops);
    if (at) {
      at.packets++;
      insertSorted(at.ttls, p.ttl);
      insertSorted(at.initialTtls, initialTtl);
    } else {
      distances.set(hops, { hops, packets: 1, firstLine: p.startLine, ttls: [p.ttl], initialTtls: [initialTtl] });
    }
  }

  const sources: HopMapSource[] = [...bySource.entries()].map(([address, distances]) => {
    const list = [...distances.values()].sort((a, b) => a.hops - b.hops);
    return { address, distances: list, packets: list.reduce((n, d) => n + d.packets, 0) };
  });
  // Nearest first, like the path read from the capture point outwards.
  sources.sort(
    (a, b) => a.distances[0].hops - b.distances[0].hops || b.packets - a.packets || compareText(a.address, b.address),
  );

  const suspiciousResets = [...resetGroups.values()].sort(
    (a, b) => a.hops - b.hops || compareText(a.claimedSource, b.claimedSource) || a.lines[0] - b.lines[0],
  );

  return { sources, suspiciousResets, maxHops, packetCount: packets.length, packetsWithHops };
}

function nearestTo(hops: number, candidates: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const c of candidates) if (best === undefined || Math.abs(c - hops) < Math.abs(best - hops)) best = c;
  return best;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
