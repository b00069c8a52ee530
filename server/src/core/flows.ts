import { isReset, type Packet } from './packet';

/** How a TCP conversation ended in the capture (as far as the capture shows). */
export type FlowEnding = 'fin' | 'reset' | 'open';

/** One TCP conversation: both directions of one address/port pair, packets in document order. */
export interface TcpFlow {
  /** `a:port <> b:port`, endpoints in the order the first packet travelled. */
  key: string;
  a: string;
  aPort: string;
  b: string;
  bPort: string;
  packets: number[];
  ending: FlowEnding;
}

/** Endpoint string; IPv6 addresses are bracketed so the port stays readable. */
export function endpoint(address: string, port: string | undefined): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** The same for both directions of a conversation. */
export function flowKey(p: Packet): string {
  const x = endpoint(p.src, p.srcPort);
  const y = endpoint(p.dst, p.dstPort);
  return x < y ? `${x} ${y}` : `${y} ${x}`;
}

/** Groups TCP packets into conversations; the order of flows is the order they first appear. */
export function buildTcpFlows(packets: readonly Packet[]): { flows: TcpFlow[]; flowOfPacket: Map<number, TcpFlow> } {
  const byKey = new Map<string, TcpFlow>();
  const flowOfPacket = new Map<number, TcpFlow>();
  for (const p of packets) {
    if (p.proto !== 'TCP' || p.srcPort === undefined || p.dstPort === undefined) continue;
    const k = flowKey(p);
    let f = byKey.get(k);
    if (!f) {
      f = {
        key: `${endpoint(p.src, p.srcPort)} <> ${endpoint(p.dst, p.dstPort)}`,
        a: p.src,
        aPort: p.srcPort,
        b: p.dst,
        bPort: p.dstPort,
        packets: [],
        ending: 'open',
      };
      byKey.set(k, f);
    }
    f.packets.push(p.index);
    flowOfPacket.set(p.index, f);
    if (isReset(p)) f.ending = 'reset';
    else if (f.ending === 'open' && p.flags?.includes('F')) f.ending = 'fin';
  }
  return { flows: [...byKey.values()], flowOfPacket };
}
