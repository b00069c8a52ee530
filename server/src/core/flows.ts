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
