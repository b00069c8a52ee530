import type { Analysis } from './analyze';
import type { SuspectedDevice } from './devices';
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
  /** The suspected device (`Analysis.devices`, `HopMap.devices`) that sent them, when they belong to one. */
  device?: number;
}

/** A host a device's RSTs claimed to come from. */
export interface HopMapClaimedSource {
  address: string;
  /** The host's own distance, when its packets show it. */
  hostHops?: number;
  /** How far before the host the device sits (hostHops − the device's hops). */
  hopsBefore?: number;
  /** How many of the device's RSTs carried this address. */
  resets: number;
}

/** A suspected device (server/src/core/devices.ts): one marker on the ruler, however many RSTs it sent. */
export interface HopMapDevice {
  /** Its number, as findings and reports name it ("device #1"). */
  id: number;
  /** Hops from the capture point, and the initial TTL its RSTs start from. */
  hops: number;
  initialTtl: number;
  confidence: Confidence;
  /** The TTL its RSTs arrive with (initialTtl − hops). */
  ttl: number;
  /** 0-based first lines of its RSTs, ascending. */
  lines: number[];
  /** The hosts it spoke for, in the order of their first RST. */
  claimedSources: HopMapClaimedSource[];
}

export interface HopMap {
  sources: HopMapSource[];
  /** Every suspicious RST drawn, grouped by claimed sender, distance and device (`device` set when it has one). */
  suspiciousResets: HopMapResetGroup[];
  /** The suspected devices, by id: what the ruler shows instead of one label per group. */
  devices: HopMapDevice[];
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
  const deviceOfPacket = new Map<number, number>();
  for (const d of analysis.devices) for (const r of d.resets) deviceOfPacket.set(r.packet, d.id);
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
      const device = deviceOfPacket.get(p.index);
      const key = `${p.src}\u0000${hops}\u0000${initialTtl}\u0000${confidence}\u0000${device ?? ''}`;
      let group = resetGroups.get(key);
      if (!group) {
        // The claimed sender's own distances: the same packets its lane is drawn from. A verdict
        // may rest on other evidence than distance, so there need not be any.
        const claimedSourceHops = verdict.baseline ? [...verdict.baseline.byHops.keys()].sort(ascending) : [];
        group = { claimedSource: p.src, hops, ttls: [], initialTtl, lines: [], claimedSourceHops, confidence };
        const nearest = nearestTo(hops, claimedSourceHops);
        if (nearest !== undefined) group.nearestClaimedHops = nearest;
        if (device !== undefined) group.device = device;
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

  const devices = analysis.devices.map(hopMapDevice);
  for (const d of devices) if (d.hops > maxHops) maxHops = d.hops;

  return { sources, suspiciousResets, devices, maxHops, packetCount: packets.length, packetsWithHops };
}

function hopMapDevice(d: SuspectedDevice): HopMapDevice {
  const claimed = new Map<string, HopMapClaimedSource>();
  for (const c of d.claimedSources) {
    const entry: HopMapClaimedSource = { address: c.address, resets: 0 };
    if (c.hostHops !== undefined) entry.hostHops = c.hostHops;
    if (c.hopsBefore !== undefined) entry.hopsBefore = c.hopsBefore;
    claimed.set(c.address, entry);
  }
  for (const r of d.resets) {
    const c = claimed.get(r.src);
    if (c) c.resets++;
  }
  return {
    id: d.id,
    hops: d.hops,
    initialTtl: d.initialTtl,
    confidence: d.confidence,
    ttl: d.initialTtl - d.hops,
    lines: d.resets.map((r) => r.line).sort(ascending),
    claimedSources: [...claimed.values()],
  };
}

function nearestTo(hops: number, candidates: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const c of candidates) if (best === undefined || Math.abs(c - hops) < Math.abs(best - hops)) best = c;
  return best;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
