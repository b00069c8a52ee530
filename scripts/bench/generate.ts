import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/*
 * Deterministic benchmark captures: a seeded world of clients, servers and firewalls, with
 * genuine RSTs (sent by the server, so at the server's own hop distance) and forged ones (sent by
 * a firewall in between, so at the firewall's distance).
 *
 * - tcpdump 4.x `-nv` form: the packets are encoded as a pcap and printed by the real tcpdump
 *   (`TZ=UTC tcpdump -nv -r`), so every line is one tcpdump itself wrote. IPv4 packets take two
 *   lines, IPv6 packets one (tcpdump 4.99 prints the IPv6 header and summary on one line).
 * - tcpdump 3.9 one-line `-v` form: no tcpdump 3.9 is at hand, so this renderer copies the line
 *   shapes seen in real 3.9 text, and only those: `S` with options, `R` with ack, ICMP echo
 *   request/reply (test/fixtures/seed-firewall-rst.txt) and `P` with ack and timestamp options
 *   (shared/corpus/legacy-3.9.8, the BGP test). No UDP, no IPv6, no FIN in that form.
 *
 * Alongside each capture, `<name>.expected.json` holds the 1-based line of every forged RST's
 * first line: what the analysis has to flag, no more, no less. The 4.x form keeps its pcap,
 * `<name>.pcap` (the same packets, for the binary-capture measurements).
 *
 *   tsx scripts/bench/generate.ts [--out DIR] [--sizes 10000,100000] [--forms nv,v39] [--seed N]
 */

export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 20261124;
export type CaptureForm = 'nv' | 'v39';

/** mulberry32: small, fast and fully determined by its seed (Math.random is not). */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let r = this.next() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1][0];
  }
}

interface Host {
  server: boolean;
  v6: boolean;
  addr: Uint8Array;
  text: string;
  initialTtl: number;
  /** Hop distance to the capture point; the first is the usual path. */
  hops: number;
  /** A second path some of its packets take (ECMP, route change), farther than `hops`. */
  altHops?: number;
  /** Checksum offload on the capturing host: its own packets carry unfinished checksums. */
  offload: boolean;
  ipId: number;
  /** A firewall in front of the server that rejects/kills connections with RSTs in its name. */
  firewall?: { hops: number; initialTtl: number };
  /** Whether a non-RST packet at `hops` was already emitted, so its RSTs have a baseline. */
  seenAtHops: boolean;
  icmpId: number;
  icmpSeq: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface GeneratedPacket {
  timeUs: number;
  v6: boolean;
  src: Host;
  dst: Host;
  ttl: number;
  ipId: number;
  df: boolean;
  flowLabel: number;
  /** The sender's stack leaves checksums to the NIC (seen on the capturing host's own packets). */
  offload: boolean;
  proto: 'tcp' | 'udp' | 'icmp';
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  tcpFlags: number;
  win: number;
  tcpOptions: readonly number[];
  payloadLength: number;
  icmpType: 'echo-request' | 'echo-reply';
  icmpId: number;
  icmpSeq: number;
  truth?: 'forged-rst' | 'genuine-rst';
}

const SERVER_TCP_PORTS = [443, 22, 8443, 993, 3306, 5432];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** Linux SYN options: mss 1460, sackOK, TS, nop, wscale 7. */
const linuxSynOptions = (tsVal: number, tsEcr: number): number[] => [
  2,
  4,
  5,
  180,
  4,
  2,
  8,
  10,
  ...be32(tsVal),
  ...be32(tsEcr),
  1,
  3,
  3,
  7,
];
/** Windows SYN options as in the seed capture: mss 1460, nop, wscale 8, nop, nop, sackOK. */
const WINDOWS_SYN_OPTIONS = [2, 4, 5, 180, 1, 3, 3, 8, 1, 1, 4, 2];
const timestampOptions = (tsVal: number, tsEcr: number): number[] => [1, 1, 8, 10, ...be32(tsVal), ...be32(tsEcr)];

function makeWorld(
  rng: SeededRandom,
  form: CaptureForm,
): { clients4: Host[]; servers4: Host[]; clients6: Host[]; servers6: Host[] } {
  const seen = new Set<string>();
  const host = (v6: boolean, server: boolean): Host => {
    let addr: Uint8Array;
    let text: string;
    do {
      if (v6) {
        addr = new Uint8Array(16);
        addr.set([0x20, 0x01, 0x0d, 0xb8]); // 2001:db8::/32, the documentation prefix
        addr[5] = server ? rng.int(1, 255) : 0;
        addr[6] = server ? 0 : 0xff;
        addr[7] = rng.int(0, 255);
        addr[15] = rng.int(1, 255);
      } else {
        // servers in 198.18.0.0/15 (benchmarking range), clients in 10.1.0.0/16
        addr = server
          ? new Uint8Array([198, 18 + rng.int(0, 1), rng.int(0, 255), rng.int(1, 254)])
          : new Uint8Array([10, 1, rng.int(0, 255), rng.int(1, 254)]);
      }
      // Only the 3.9 renderer prints `text`, and that form has no IPv6; for IPv6 it is just a key.
      text = addr.join('.');
    } while (seen.has(text));
    seen.add(text);
    const initialTtl = server
      ? rng.weighted([
          [64, 55],
          [128, 20],
          [255, 15],
          [32, 10],
        ] as const)
      : rng.weighted([
          [64, 70],
          [128, 30],
        ] as const);
    // Hops stay below 25 so that every TTL infers back to its own initial value.
    const hops = server
      ? rng.int(2, 24)
      : rng.weighted([
          [0, 80],
          [1, 20],
        ] as const);
    const h: Host = {
      server,
      v6,
      addr,
      text,
      initialTtl,
      hops,
      offload: !server && hops === 0 && initialTtl === 128 && rng.chance(0.5),
      ipId: rng.int(0, 65535),
      seenAtHops: false,
      icmpId: rng.int(1, 65535),
      icmpSeq: 1,
    };
    if (server && rng.chance(0.1)) h.altHops = hops + rng.int(1, 2);
    if (server && rng.chance(0.35)) h.firewall = { hops: rng.int(0, hops - 1), initialTtl: rng.pick([64, 255]) };
    return h;
  };
  const n = (count: number, v6: boolean, server: boolean): Host[] =>
    Array.from({ length: count }, () => host(v6, server));
  if (form === 'v39')
    return { clients4: n(60, false, false), servers4: n(400, false, true), clients6: [], servers6: [] };
  return {
    clients4: n(60, false, false),
    servers4: n(400, false, true),
    clients6: n(8, true, false),
    servers6: n(60, true, true),
  };
}

/**
 * Plans `count` packets and hands each to `emit` in capture order; returns the indices of the
 * forged RSTs. A server's RST never comes before a non-RST packet of that server at its usual
 * distance, so the analysis always has a baseline to compare with.
 */
export function planCapture(
  count: number,
  seed: number,
  form: CaptureForm,
  emit: (p: GeneratedPacket, index: number) => void,
): { forged: number[]; genuine: number; sources: number } {
  const rng = new SeededRandom(seed ^ (form === 'v39' ? 0x39 : 0x4));
  const world = makeWorld(rng, form);
  const forged: number[] = [];
  let genuine = 0;
  let index = 0;
  let timeUs = Date.UTC(2026, 0, 15, 9, 30, 0) * 1000;
  const sources = new Set<string>();

  const send = (p: Omit<GeneratedPacket, 'timeUs' | 'v6' | 'flowLabel' | 'offload'> & { flowLabel?: number }): void => {
    if (index >= count) return;
    timeUs += rng.int(5, 2000);
    const packet: GeneratedPacket = {
      timeUs,
      v6: p.src.v6,
      flowLabel: 0,
      offload: p.src.offload && p.truth === undefined,
      ...p,
    };
    if (packet.truth === 'forged-rst') forged.push(index);
    if (packet.truth === 'genuine-rst') genuine++;
    sources.add(p.src.text);
    emit(packet, index++);
  };
  const ttlOf = (h: Host): number => {
    if (h.altHops !== undefined && h.seenAtHops && rng.chance(0.3)) return h.initialTtl - h.altHops;
    h.seenAtHops = true;
    return h.initialTtl - h.hops;
  };
  const nextId = (h: Host): number => (h.ipId = (h.ipId + 1) & 0xffff);
  const tcp = (
    from: Host,
    to: Host,
    sport: number,
    dport: number,
    seq: number,
    ack: number,
    flags: number,
    payloadLength: number,
    options: readonly number[],
    flowLabel = 0,
  ): void =>
    send({
      src: from,
      dst: to,
      ttl: ttlOf(from),
      ipId: nextId(from),
      df: true,
      flowLabel,
      proto: 'tcp',
      sport,
      dport,
      seq: seq >>> 0,
      ack: ack >>> 0,
      tcpFlags: flags,
      win: flags & TCP_SYN ? (from.initialTtl === 128 ? 8192 : 64240) : rng.int(200, 2000),
      tcpOptions: options,
      payloadLength,
      icmpType: 'echo-request',
      icmpId: 0,
      icmpSeq: 0,
    });
  const echo = (client: Host, server: Host, pairs: number): void => {
    for (let i = 0; i < pairs; i++) {
      const seq = client.icmpSeq++;
      const base = {
        proto: 'icmp' as const,
        sport: 0,
        dport: 0,
        seq: 0,
        ack: 0,
        tcpFlags: 0,
        win: 0,
        tcpOptions: [],
        payloadLength: client.initialTtl === 128 ? 32 : 56,
        icmpId: client.icmpId,
        icmpSeq: seq,
        df: false,
      };
      send({ ...base, src: client, dst: server, ttl: ttlOf(client), ipId: nextId(client), icmpType: 'echo-request' });
      send({ ...base, src: server, dst: client, ttl: ttlOf(server), ipId: nextId(server), icmpType: 'echo-reply' });
    }
  };
  /** The RST a closed port or the server itself sends: Linux sends it with IP id 0, at its own distance. */
  const genuineRst = (server: Host, client: Host, sport: number, dport: number, seq: number, ack: number): void => {
    if (!server.seenAtHops) echo(client, server, 1);
    send({
      src: server,
      dst: client,
      ttl: server.initialTtl - server.hops,
      ipId: 0,
      df: true,
      proto: 'tcp',
      sport,
      dport,
      seq,
      ack: ack >>> 0,
      tcpFlags: TCP_RST | TCP_ACK,
      win: 0,
      tcpOptions: [],
      payloadLength: 0,
      icmpType: 'echo-request',
      icmpId: 0,
      icmpSeq: 0,
      truth: 'genuine-rst',
    });
  };
  const forgedRst = (server: Host, client: Host, sport: number, dport: number, seq: number, ack: number): void => {
    if (!server.seenAtHops) echo(client, server, 1);
    const fw = server.firewall!;
    send({
      src: server,
      dst: client,
      ttl: fw.initialTtl - fw.hops,
      ipId: rng.chance(0.5) ? 0 : rng.int(1, 65535),
      df: rng.chance(0.5),
      proto: 'tcp',
      sport,
      dport,
      seq,
      ack: ack >>> 0,
      tcpFlags: TCP_RST | TCP_ACK,
      win: 0,
      tcpOptions: [],
      payloadLength: 0,
      icmpType: 'echo-request',
      icmpId: 0,
      icmpSeq: 0,
      truth: 'forged-rst',
    });
  };

  const pair = (v6: boolean): [Host, Host] =>
    v6 ? [rng.pick(world.clients6), rng.pick(world.servers6)] : [rng.pick(world.clients4), rng.pick(world.servers4)];

  while (index < count) {
    if (form === 'v39') {
      // Only shapes seen in real tcpdump 3.9 text: S, P (with ack), R (with ack), ICMP echo.
      const [client, server] = pair(false);
      const kind = rng.weighted([
        ['session', 55],
        ['ping', 30],
        ['refused', 8],
        ['forged', server.firewall ? 7 : 0],
      ] as const);
      if (kind === 'ping') {
        echo(client, server, rng.int(1, 4));
        continue;
      }
      const sport = rng.int(49152, 65535);
      const dport = rng.pick(SERVER_TCP_PORTS);
      const isn = rng.int(0, 0xffffffff);
      tcp(client, server, sport, dport, isn, 0, TCP_SYN, 0, WINDOWS_SYN_OPTIONS);
      if (kind === 'refused') {
        genuineRst(server, client, dport, sport, 0, isn + 1);
        continue;
      }
      if (kind === 'forged') {
        forgedRst(server, client, dport, sport, 0, isn + 1);
        continue;
      }
      let cseq = isn + 1;
      let sseq = rng.int(0, 0xffffffff);
      let ts = rng.int(100000, 9000000);
      for (let r = rng.int(1, 4); r > 0; r--) {
        const up = rng.int(20, 300);
        const down = rng.int(40, 600);
        tcp(client, server, sport, dport, cseq, sseq, TCP_PSH | TCP_ACK, up, timestampOptions(ts, ts - 7));
        cseq += up;
        tcp(server, client, dport, sport, sseq, cseq, TCP_PSH | TCP_ACK, down, timestampOptions(ts + 3, ts));
        sseq += down;
        ts += rng.int(1, 50);
      }
      if (rng.chance(0.1)) genuineRst(server, client, dport, sport, sseq, cseq);
      continue;
    }

    const v6 = rng.chance(0.12);
    const [client, server] = pair(v6);
    const kind = rng.weighted([
      ['session', 42],
      ['ping', 20],
      ['udp', 20],
      ['refused', 8],
      ['forged', server.firewall ? 6 : 0],
      ['killed', server.firewall ? 4 : 0],
    ] as const);
    if (kind === 'ping') {
      echo(client, server, rng.int(1, 4));
      continue;
    }
    if (kind === 'udp') {
      const sport = rng.int(32768, 60999);
      const dport = 33434 + rng.int(0, 89); // traceroute's range: no tcpdump printer decodes it
      for (let i = rng.int(1, 6); i > 0; i--) {
        const [from, to, sp, dp] = rng.chance(0.6) ? [client, server, sport, dport] : [server, client, dport, sport];
        send({
          src: from,
          dst: to,
          ttl: ttlOf(from),
          ipId: nextId(from),
          df: rng.chance(0.5),
          proto: 'udp',
          sport: sp,
          dport: dp,
          seq: 0,
          ack: 0,
          tcpFlags: 0,
          win: 0,
          tcpOptions: [],
          payloadLength: rng.int(8, 400),
          icmpType: 'echo-request',
          icmpId: 0,
          icmpSeq: 0,
        });
      }
      continue;
    }
    const sport = rng.int(32768, 60999);
    const dport = rng.pick(SERVER_TCP_PORTS);
    const isn = rng.int(0, 0xffffffff);
    const flowC = v6 ? rng.int(1, 0xfffff) : 0;
    const flowS = v6 ? rng.int(1, 0xfffff) : 0;
    let ts = rng.int(100000, 4000000000);
    const synOptions = client.initialTtl === 128 ? WINDOWS_SYN_OPTIONS : linuxSynOptions(ts, 0);
    tcp(client, server, sport, dport, isn, 0, TCP_SYN, 0, synOptions, flowC);
    if (kind === 'refused') {
      genuineRst(server, client, dport, sport, 0, isn + 1);
      continue;
    }
    if (kind === 'forged') {
      forgedRst(server, client, dport, sport, 0, isn + 1);
      continue;
    }
    const sisn = rng.int(0, 0xffffffff);
    let sts = rng.int(100000, 4000000000);
    tcp(server, client, dport, sport, sisn, isn + 1, TCP_SYN | TCP_ACK, 0, linuxSynOptions(sts, ts), flowS);
    let cseq = isn + 1;
    let sseq = sisn + 1;
    tcp(client, server, sport, dport, cseq, sseq, TCP_ACK, 0, timestampOptions(++ts, sts), flowC);
    for (let r = rng.int(1, 4); r > 0; r--) {
      const up = rng.int(20, 300);
      const down = rng.int(40, 600);
      tcp(client, server, sport, dport, cseq, sseq, TCP_PSH | TCP_ACK, up, timestampOptions(++ts, sts), flowC);
      cseq += up;
      if (kind === 'killed' && r === 1) break;
      tcp(server, client, dport, sport, sseq, cseq, TCP_PSH | TCP_ACK, down, timestampOptions(++sts, ts), flowS);
      sseq += down;
      tcp(client, server, sport, dport, cseq, sseq, TCP_ACK, 0, timestampOptions(++ts, sts), flowC);
    }
    if (kind === 'killed') {
      forgedRst(server, client, dport, sport, sseq, cseq);
      continue;
    }
    if (rng.chance(0.08)) {
      genuineRst(server, client, dport, sport, sseq, cseq);
      continue;
    }
    tcp(client, server, sport, dport, cseq, sseq, TCP_FIN | TCP_ACK, 0, timestampOptions(++ts, sts), flowC);
    tcp(server, client, dport, sport, sseq, cseq + 1, TCP_FIN | TCP_ACK, 0, timestampOptions(++sts, ts), flowS);
    tcp(client, server, sport, dport, cseq + 1, sseq + 1, TCP_ACK, 0, timestampOptions(ts + 1, sts), flowC);
  }
  return { forged, genuine, sources: sources.size };
}

// ---------------------------------------------------------------------------------------------
// pcap encoding (Ethernet, microsecond timestamps)

function sum16(buf: Uint8Array, from: number, to: number, initial = 0): number {
  let s = initial;
  let i = from;
  for (; i + 1 < to; i += 2) s += (buf[i] << 8) | buf[i + 1];
  if (i < to) s += buf[i] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const finish = (s: number): number => ~s & 0xffff;

const LOCAL_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const GATEWAY_MAC = [0x52, 0x54, 0x00, 0xab, 0xcd, 0xef];

/** Writes one pcap record (header + Ethernet frame) at `at`; returns the bytes written. */
export function encodePcapRecord(p: GeneratedPacket, buf: Buffer, at: number): number {
  const frame = at + 16;
  const inbound = p.src.server;
  buf.set(inbound ? LOCAL_MAC : GATEWAY_MAC, frame);
  buf.set(inbound ? GATEWAY_MAC : LOCAL_MAC, frame + 6);
  buf.writeUInt16BE(p.v6 ? 0x86dd : 0x0800, frame + 12);
  const ip = frame + 14;
  const ipHeaderLength = p.v6 ? 40 : 20;
  const l4 = ip + ipHeaderLength;
  let l4Length: number;
  let protoNumber: number;
  if (p.proto === 'tcp') {
    protoNumber = 6;
    const optLength = p.tcpOptions.length;
    const headerLength = 20 + optLength;
    l4Length = headerLength + p.payloadLength;
    buf.writeUInt16BE(p.sport, l4);
    buf.writeUInt16BE(p.dport, l4 + 2);
    buf.writeUInt32BE(p.seq, l4 + 4);
    buf.writeUInt32BE(p.ack, l4 + 8);
    buf[l4 + 12] = (headerLength / 4) << 4;
    buf[l4 + 13] = p.tcpFlags;
    buf.writeUInt16BE(p.win, l4 + 14);
    buf.writeUInt32BE(0, l4 + 16); // checksum, urgent pointer
    for (let i = 0; i < optLength; i++) buf[l4 + 20 + i] = p.tcpOptions[i];
    buf.fill(0, l4 + headerLength, l4 + l4Length);
  } else if (p.proto === 'udp') {
    protoNumber = 17;
    l4Length = 8 + p.payloadLength;
    buf.writeUInt16BE(p.sport, l4);
    buf.writeUInt16BE(p.dport, l4 + 2);
    buf.writeUInt16BE(l4Length, l4 + 4);
    buf.writeUInt16BE(0, l4 + 6);
    buf.fill(0x5a, l4 + 8, l4 + l4Length);
  } else {
    protoNumber = p.v6 ? 58 : 1;
    l4Length = 8 + p.payloadLength;
    buf[l4] = p.v6 ? (p.icmpType === 'echo-request' ? 128 : 129) : p.icmpType === 'echo-request' ? 8 : 0;
    buf[l4 + 1] = 0;
    buf.writeUInt16BE(0, l4 + 2);
    buf.writeUInt16BE(p.icmpId, l4 + 4);
    buf.writeUInt16BE(p.icmpSeq, l4 + 6);
    for (let i = 0; i < p.payloadLength; i++) buf[l4 + 8 + i] = 0x61 + (i % 23);
  }
  if (p.v6) {
    buf.writeUInt32BE(((6 << 28) | p.flowLabel) >>> 0, ip);
    buf.writeUInt16BE(l4Length, ip + 4);
    buf[ip + 6] = protoNumber;
    buf[ip + 7] = p.ttl;
    buf.set(p.src.addr, ip + 8);
    buf.set(p.dst.addr, ip + 24);
  } else {
    buf[ip] = 0x45;
    buf[ip + 1] = 0;
    buf.writeUInt16BE(20 + l4Length, ip + 2);
    buf.writeUInt16BE(p.ipId, ip + 4);
    buf.writeUInt16BE(p.df ? 0x4000 : 0, ip + 6);
    buf[ip + 8] = p.ttl;
    buf[ip + 9] = protoNumber;
    buf.writeUInt16BE(0, ip + 10);
    buf.set(p.src.addr, ip + 12);
    buf.set(p.dst.addr, ip + 16);
    // With checksum offload the capturing host sees its own IP checksum still 0.
    if (!p.offload) buf.writeUInt16BE(finish(sum16(buf, ip, ip + 20)), ip + 10);
  }
  const checksumAt = p.proto === 'tcp' ? l4 + 16 : p.proto === 'udp' ? l4 + 6 : l4 + 2;
  if (p.proto === 'icmp' && !p.v6) {
    buf.writeUInt16BE(finish(sum16(buf, l4, l4 + l4Length)), checksumAt);
  } else {
    // Pseudo header: addresses, protocol, transport length.
    const addrFrom = p.v6 ? ip + 8 : ip + 12;
    let pseudo = sum16(buf, addrFrom, addrFrom + (p.v6 ? 32 : 8));
    pseudo += protoNumber + l4Length;
    while (pseudo > 0xffff) pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
    // Offload leaves the pseudo-header sum in the field for the NIC to finish.
    const value = p.offload ? pseudo : finish(sum16(buf, l4, l4 + l4Length, pseudo)) || 0xffff;
    buf.writeUInt16BE(value, checksumAt);
  }
  const frameLength = 14 + ipHeaderLength + l4Length;
  buf.writeUInt32LE(Math.floor(p.timeUs / 1e6), at);
  buf.writeUInt32LE(p.timeUs % 1e6, at + 4);
  buf.writeUInt32LE(frameLength, at + 8);
  buf.writeUInt32LE(frameLength, at + 12);
  return 16 + frameLength;
}

/** Streams records into a file through one reused buffer. */
class ChunkWriter {
  readonly buf = Buffer.alloc(8 << 20);
  at = 0;
  constructor(private readonly fd: number) {}
  reserve(bytes: number): void {
    if (this.at + bytes > this.buf.length) this.flush();
  }
  flush(): void {
    if (this.at > 0) writeSync(this.fd, this.buf, 0, this.at);
    this.at = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// tcpdump 3.9 one-line rendering

/** Checksums as tcpdump 3.9 shows them, taken from the packet's real encoding. */
function checksumsOf(
  p: GeneratedPacket,
  scratch: Buffer,
): { ip: number; ipShould: number; l4: number; l4Should: number } {
  encodePcapRecord({ ...p, offload: false }, scratch, 0);
  const ipShould = scratch.readUInt16BE(16 + 14 + 10);
  const l4At = 16 + 14 + 20 + (p.proto === 'tcp' ? 16 : 2);
  const l4Should = scratch.readUInt16BE(l4At);
  if (!p.offload) return { ip: ipShould, ipShould, l4: l4Should, l4Should };
  encodePcapRecord(p, scratch, 0);
  return { ip: 0, ipShould, l4: scratch.readUInt16BE(l4At), l4Should };
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

function tcpOptionsText39(options: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < options.length;) {
    const kind = options[i];
    if (kind === 1) {
      parts.push('nop');
      i++;
      continue;
    }
    const len = options[i + 1];
    if (kind === 2) parts.push(`mss ${(options[i + 2] << 8) | options[i + 3]}`);
    else if (kind === 3) parts.push(`wscale ${options[i + 2]}`);
    else if (kind === 4) parts.push('sackOK');
    else if (kind === 8) {
      const v = (k: number): number =>
        ((options[k] << 24) | (options[k + 1] << 16) | (options[k + 2] << 8) | options[k + 3]) >>> 0;
      parts.push(`timestamp ${v(i + 2)} ${v(i + 6)}`);
    }
    i += len;
  }
  return `<${parts.join(',')}>`;
}

/** One packet in tcpdump 3.9 `-v` form, field for field like seed-firewall-rst.txt. */
export function renderV39(p: GeneratedPacket, scratch: Buffer): string {
  const c = checksumsOf(p, scratch);
  const l4Length = p.proto === 'tcp' ? 20 + p.tcpOptions.length + p.payloadLength : 8 + p.payloadLength;
  const protoText = p.proto === 'tcp' ? 'TCP (6)' : 'ICMP (1)';
  const bad = c.ip === c.ipShould ? '' : `, bad cksum ${c.ip.toString(16)} (->${c.ipShould.toString(16)})!`;
  const head = `IP (tos 0x0, ttl ${String(p.ttl).padStart(3)}, id ${p.ipId}, offset 0, flags [${p.df ? 'DF' : 'none'}], proto: ${protoText}, length: ${20 + l4Length}${bad})`;
  if (p.proto === 'icmp') {
    return `${head} ${p.src.text} > ${p.dst.text}: ICMP echo ${p.icmpType === 'echo-request' ? 'request' : 'reply'}, id ${p.icmpId}, seq ${p.icmpSeq}, length ${l4Length}`;
  }
  const letters = p.tcpFlags & TCP_SYN ? 'S' : p.tcpFlags & TCP_RST ? 'R' : 'P';
  const sum =
    c.l4 === c.l4Should
      ? `cksum 0x${hex4(c.l4)} (correct)`
      : `cksum 0x${hex4(c.l4)} (incorrect (-> 0x${hex4(c.l4Should)})`;
  const seq = `${p.seq}:${(p.seq + p.payloadLength) >>> 0}(${p.payloadLength})`;
  const ack = p.tcpFlags & TCP_ACK ? ` ack ${p.ack}` : '';
  const options = p.tcpOptions.length ? ` ${tcpOptionsText39(p.tcpOptions)}` : '';
  return `${head} ${p.src.text}.${p.sport} > ${p.dst.text}.${p.dport}: ${letters}, ${sum}, ${seq}${ack} win ${p.win}${options}`;
}

// ---------------------------------------------------------------------------------------------
// Files

export interface ExpectedFile {
  generatorVersion: number;
  seed: number;
  form: CaptureForm;
  packets: number;
  lines: number;
  bytes: number;
  sources: number;
  genuineResets: number;
  /** 1-based first line of every forged RST, ascending. */
  forgedLines: number[];
  printedBy: string;
}

export const captureName = (form: CaptureForm, packets: number): string =>
  `${form}-${packets >= 1e6 && packets % 1e6 === 0 ? `${packets / 1e6}m` : packets % 1000 === 0 ? `${packets / 1000}k` : packets}`;

function tcpdumpVersion(): string {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error('tcpdump is needed to print the 4.x form (apt-get install -y tcpdump)');
  return r.stdout.split('\n')[0].trim();
}

/** Writes `<dir>/<name>.txt` and `<dir>/<name>.expected.json`; returns the expectation. */
export function writeCapture(dir: string, form: CaptureForm, packets: number, seed = DEFAULT_SEED): ExpectedFile {
  mkdirSync(dir, { recursive: true });
  const name = captureName(form, packets);
  const textFile = path.join(dir, `${name}.txt`);
  let plan: ReturnType<typeof planCapture>;
  let printedBy: string;
  if (form === 'v39') {
    const fd = openSync(textFile, 'w');
    const out = new ChunkWriter(fd);
    const scratch = Buffer.alloc(4096);
    try {
      plan = planCapture(packets, seed, form, (p) => {
        const line = `${renderV39(p, scratch)}\n`;
        out.reserve(line.length);
        out.at += out.buf.write(line, out.at, 'latin1');
      });
      out.flush();
    } finally {
      closeSync(fd);
    }
    printedBy = 'scripts/bench/generate.ts renderV39 (tcpdump 3.9 -v line shapes)';
  } else {
    printedBy = tcpdumpVersion();
    const pcapFile = path.join(dir, `${name}.pcap`);
    const fd = openSync(pcapFile, 'w');
    const out = new ChunkWriter(fd);
    try {
      out.buf.writeUInt32LE(0xa1b2c3d4, 0);
      out.buf.writeUInt16LE(2, 4);
      out.buf.writeUInt16LE(4, 6);
      out.buf.writeUInt32LE(0, 8);
      out.buf.writeUInt32LE(0, 12);
      out.buf.writeUInt32LE(262144, 16);
      out.buf.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
      out.at = 24;
      plan = planCapture(packets, seed, form, (p) => {
        out.reserve(2048);
        out.at += encodePcapRecord(p, out.buf, out.at);
      });
      out.flush();
    } finally {
      closeSync(fd);
    }
    const textFd = openSync(textFile, 'w');
    try {
      const r = spawnSync('tcpdump', ['-nv', '-r', pcapFile], {
        stdio: ['ignore', textFd, 'pipe'],
        env: { ...process.env, TZ: 'UTC' },
      });
      if (r.status !== 0) throw new Error(`tcpdump -nv -r ${pcapFile} failed: ${String(r.stderr)}`);
    } finally {
      closeSync(textFd);
    }
  }
  const text = readFileSync(textFile, 'latin1');
  const forgedLines = headLinesOf(text, plan.forged, packets, textFile);
  const expected: ExpectedFile = {
    generatorVersion: GENERATOR_VERSION,
    seed,
    form,
    packets,
    lines: countLines(text),
    bytes: statSync(textFile).size,
    sources: plan.sources,
    genuineResets: plan.genuine,
    forgedLines,
    printedBy,
  };
  writeFileSync(path.join(dir, `${name}.expected.json`), `${JSON.stringify(expected)}\n`);
  return expected;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * 1-based line of each wanted packet: a packet starts on every line that does not begin with
 * white space (tcpdump indents continuation lines). Checks the count against what was encoded and
 * that each forged packet really is a TCP reset, so a shape surprise fails here, not in the bench.
 */
export function headLinesOf(text: string, wanted: readonly number[], packetCount: number, file: string): number[] {
  const out: number[] = [];
  let packet = -1;
  let line = 0;
  let w = 0;
  for (let at = 0; at < text.length;) {
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end;
    line++;
    const c = text.charCodeAt(at);
    if (c !== 32 && c !== 9 && stop > at) {
      packet++;
      if (w < wanted.length && wanted[w] === packet) {
        const next = text.indexOf('\n', stop + 1);
        const packetText = text.slice(at, next < 0 ? text.length : next);
        if (!/Flags \[R\.?\]|: R, /.test(packetText))
          throw new Error(`${file}:${line}: forged packet ${packet} is not printed as an RST:\n${packetText}`);
        out.push(line);
        w++;
      }
    }
    at = stop + 1;
  }
  if (packet + 1 !== packetCount) throw new Error(`${file}: ${packet + 1} packets printed, ${packetCount} encoded`);
  return out;
}

/** The expectation for `<dir>/<name>`, or undefined when absent or written by another generator version/seed. */
export function readExpected(
  dir: string,
  form: CaptureForm,
  packets: number,
  seed = DEFAULT_SEED,
): ExpectedFile | undefined {
  const name = captureName(form, packets);
  const file = path.join(dir, `${name}.expected.json`);
  if (!existsSync(file) || !existsSync(path.join(dir, `${name}.txt`))) return undefined;
  if (form === 'nv' && !existsSync(path.join(dir, `${name}.pcap`))) return undefined;
  const e = JSON.parse(readFileSync(file, 'utf8')) as ExpectedFile;
  if (
    e.generatorVersion !== GENERATOR_VERSION ||
    e.seed !== seed ||
    statSync(path.join(dir, `${name}.txt`)).size !== e.bytes
  )
    return undefined;
  return e;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const dir = path.resolve(opt('--out', path.join(__dirname, '..', '..', 'bench-data')));
  const sizes = opt('--sizes', '10000,100000,1000000').split(',').map(Number);
  const forms = opt('--forms', 'nv,v39').split(',') as CaptureForm[];
  const seed = Number(opt('--seed', String(DEFAULT_SEED)));
  for (const form of forms) {
    for (const n of sizes) {
      const t = Date.now();
      const e = writeCapture(dir, form, n, seed);
      process.stdout.write(
        `${captureName(form, n)}: ${e.packets} packets, ${e.lines} lines, ${(e.bytes / 1e6).toFixed(1)} MB, ${e.sources} sources, ${e.forgedLines.length} forged / ${e.genuineResets} genuine RSTs (${Date.now() - t} ms)\n`,
      );
    }
  }
}
