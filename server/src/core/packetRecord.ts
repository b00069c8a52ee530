import type { Packet } from './packet';

/**
 * One packet as the CLI's `--packets` export prints it (one JSON object per line). Fields the
 * text did not carry are absent, never null.
 */
export interface PacketRecord {
  /** 1-based line of the packet's first line. */
  line: number;
  src: string;
  dst: string;
  /** A number when tcpdump printed digits, else the service name it printed (no -n). */
  srcPort?: number | string;
  dstPort?: number | string;
  proto?: string;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl?: number;
  ipId?: number;
  /** TCP flags in tcpdump 4.x letters ("S", "S.", "R.", "" for none); 3.9 text is translated. */
  flags?: string;
}

/** A port for JSON: a number when tcpdump printed digits, else the service name it printed (no -n). */
export function portValue(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return value;
  }
  return value.length > 0 && value.length <= 5 ? Number(value) : value;
}

export function toPacketRecord(p: Packet): PacketRecord {
  const r: PacketRecord = { line: p.startLine + 1, src: p.src, dst: p.dst };
  const srcPort = portValue(p.srcPort);
  const dstPort = portValue(p.dstPort);
  if (srcPort !== undefined) r.srcPort = srcPort;
  if (dstPort !== undefined) r.dstPort = dstPort;
  if (p.proto !== undefined) r.proto = p.proto;
  if (p.ttl !== undefined) r.ttl = p.ttl;
  if (p.ipId !== undefined) r.ipId = p.ipId;
  if (p.flags !== undefined) r.flags = p.flags;
  return r;
}
