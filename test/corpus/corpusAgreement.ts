import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Packet } from '../../server/src/core/packet';
import { parseCapture } from '../../server/src/core/parse';

/*
 * Compares what the parser reads from tcpdump text with what tshark decoded from the same capture
 * file (the corpus oracle, see ../shared/corpus/README.md). The oracle never saw the text, so an
 * agreement is evidence, not an echo.
 *
 * Which packets count: every packet the parser emits whose frame the oracle decodes as IPv4/IPv6
 * (frame found by `-#` number, else by timestamp, else by order among the IP frames). A packet
 * whose frame the oracle decodes as non-IP is a "spurious" packet and counts against `src`.
 * Per field, a packet counts when either side has a value: the oracle's, or the parser's (a
 * value the parser invents counts as a disagreement). Exceptions, each for a reason the text
 * cannot satisfy, are in FIELD_RULES below.
 */

export const FIELDS = ['src', 'dst', 'ttl', 'ipId', 'srcPort', 'dstPort', 'flags', 'proto'] as const;
export type Field = (typeof FIELDS)[number];

export interface OracleFrame {
  number: number;
  family?: 4 | 6;
  src?: string;
  dst?: string;
  ttl?: number;
  ipId?: number;
  srcPort?: string;
  dstPort?: string;
  flags?: string;
  /** Transport right after the outermost IP header (and IPv6 extension headers), tshark's name. */
  transport?: string;
  /** The outermost IPv4 header's protocol number. */
  ipProto?: string;
  epochSeconds: number;
  /** Fraction of a second, 9 digits. */
  epochFraction: string;
}

export interface Disagreement {
  file: string;
  line: number;
  frame: number;
  field: Field | 'packet';
  parsed: string;
  oracle: string;
}

export interface FieldTally {
  compared: number;
  agreed: number;
}

export interface CorpusResult {
  files: number;
  parsedPackets: number;
  /** Parsed packets matched to an IP frame of the oracle. */
  alignedPackets: number;
  /** Parsed packets in files without an oracle (tshark had no decoder). */
  withoutOracle: number;
  /** Parsed packets whose frame could not be located (should be none). */
  unaligned: number;
  /** Parsed packets whose frame the oracle does not decode as IP. */
  nonIpFrames: number;
  /** Time spent in the parser alone. */
  parseMilliseconds: number;
  /** `-#` files: IP frames whose number heads a line in the text, and how many of them were parsed. */
  framesPrinted: number;
  framesParsed: number;
  /** Files that print every frame in order: IP frames of the oracle, and how many a packet matched. */
  orderedFrames: number;
  orderedFramesParsed: number;
  tally: Record<Field, FieldTally>;
  disagreements: Disagreement[];
  errors: { file: string; error: string }[];
  milliseconds: number;
}

/** TCP flag bits in tcpdump 4.x letter order (print-tcp.c). */
const FLAG_BITS: [number, string][] = [
  [0x001, 'F'],
  [0x002, 'S'],
  [0x004, 'R'],
  [0x008, 'P'],
  [0x010, '.'],
  [0x020, 'U'],
  [0x040, 'E'],
  [0x080, 'W'],
  [0x100, 'e'],
];
const TSHARK_TRANSPORT: Record<string, string> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMP6',
  gre: 'GRE',
  esp: 'ESP',
  ah: 'AH',
  igmp: 'IGMP',
  ospf: 'OSPF',
  pim: 'PIM',
  vrrp: 'VRRP',
  sctp: 'SCTP',
  dccp: 'DCCP',
  ip: 'IPIP',
  ipv6: 'IPV6',
  carp: 'VRRP',
  l2tp: 'L2TP',
  rsvp: 'RSVP',
  eigrp: 'EIGRP',
  mipv6: 'MOBILITY',
};
/** IANA protocol numbers, for frames tshark leaves undecoded past IP (fragments: `ip:data`). */
const PROTOCOL_NUMBERS: Record<string, string> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPV6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMP6',
  88: 'EIGRP',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};
const IPV6_EXTENSIONS = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.dstopts', 'ipv6.fraghdr', 'ipv6.shim6']);

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function readOracle(file: string): OracleFrame[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const c = {
    number: col('frame.number'),
    ipSrc: col('ip.src'),
    ipDst: col('ip.dst'),
    ipTtl: col('ip.ttl'),
    ipId: col('ip.id'),
    v6Src: col('ipv6.src'),
    v6Dst: col('ipv6.dst'),
    hlim: col('ipv6.hlim'),
    tcpSrc: col('tcp.srcport'),
    tcpDst: col('tcp.dstport'),
    udpSrc: col('udp.srcport'),
    udpDst: col('udp.dstport'),
    tcpFlags: col('tcp.flags'),
    epoch: col('frame.time_epoch'),
    protocols: col('frame.protocols'),
    ipProto: col('ip.proto'),
  };
  return lines.slice(1).map((line) => {
    const f = splitCsvLine(line);
    const [sec, frac = ''] = f[c.epoch].split('.');
    const frame: OracleFrame = {
      number: Number(f[c.number]),
      epochSeconds: Number(sec),
      epochFraction: frac.padEnd(9, '0'),
    };
    const protocols = f[c.protocols].split(':');
    const ipAt = protocols.findIndex((p) => p === 'ip' || p === 'ipv6');
    if (ipAt < 0) return frame;
    frame.family = protocols[ipAt] === 'ip' ? 4 : 6;
    if (frame.family === 4) {
      frame.src = f[c.ipSrc] || undefined;
      frame.dst = f[c.ipDst] || undefined;
      if (f[c.ipTtl]) frame.ttl = Number(f[c.ipTtl]);
      if (f[c.ipId]) frame.ipId = parseInt(f[c.ipId], 16);
      if (f[c.ipProto]) frame.ipProto = f[c.ipProto].split(',')[0];
    } else {
      frame.src = f[c.v6Src] || undefined;
      frame.dst = f[c.v6Dst] || undefined;
      if (f[c.hlim]) frame.ttl = Number(f[c.hlim]);
    }
    let t = ipAt + 1;
    while (t < protocols.length && IPV6_EXTENSIONS.has(protocols[t])) t++;
    frame.transport = protocols[t];
    if (frame.transport === 'tcp') {
      frame.srcPort = f[c.tcpSrc] || undefined;
      frame.dstPort = f[c.tcpDst] || undefined;
      if (f[c.tcpFlags]) {
        const bits = parseInt(f[c.tcpFlags], 16);
        frame.flags = FLAG_BITS.filter(([b]) => bits & b)
          .map(([, l]) => l)
          .join('');
      }
    } else if (frame.transport === 'udp') {
      frame.srcPort = f[c.udpSrc] || undefined;
      frame.dstPort = f[c.udpDst] || undefined;
    }
    return frame;
  });
}

/** Does the packet's printed timestamp name this frame's capture time? */
function timestampMatches(ts: string, frame: OracleFrame): boolean {
  const dot = ts.lastIndexOf('.');
  const whole = dot < 0 ? ts : ts.slice(0, dot);
  const fraction = dot < 0 ? '' : ts.slice(dot + 1);
  if (!frame.epochFraction.startsWith(fraction)) return false;
  if (!whole.includes(':')) return Number(whole) === frame.epochSeconds;
  // Time of day in whatever zone the text was printed in: minutes and seconds survive whole-hour offsets.
  const parts = whole.split(/[ :]/);
  const mm = Number(parts[parts.length - 2]);
  const ss = Number(parts[parts.length - 1]);
  return frame.epochSeconds % 3600 === mm * 60 + ss;
}

export interface CorpusText {
  /** Path relative to the corpus root. */
  file: string;
  oracle?: string;
  /** The `-#` numbers name frames (false: post-filter ordinals or no numbers). */
  numbersAreFrames: boolean;
  /** The text prints every frame of the capture, in order (legacy and regen, counts match). */
  printsEveryFrame?: boolean;
}

function readManifest(file: string): Record<string, string>[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]);
  return lines.slice(1).map((l) => {
    const f = splitCsvLine(l);
    return Object.fromEntries(header.map((h, i) => [h, f[i] ?? '']));
  });
}

export function listCorpusTexts(root: string): CorpusText[] {
  const texts: CorpusText[] = [];
  const seen = new Set<string>();
  const add = (t: CorpusText): void => {
    if (seen.has(t.file)) return;
    seen.add(t.file);
    texts.push(t);
  };
  for (const r of readManifest(path.join(root, 'manifest.csv'))) {
    add({
      file: r.out,
      oracle: r.counts_match.startsWith('no oracle') ? undefined : r.oracle,
      numbersAreFrames: r.numbering === 'pcap-frame',
    });
  }
  for (const r of readManifest(path.join(root, 'legacy-3.9.8', 'manifest.csv'))) {
    add({ file: r.out, oracle: r.oracle, numbersAreFrames: false, printsEveryFrame: r.counts_match === 'yes' });
  }
  for (const r of readManifest(path.join(root, 'regen', 'manifest.csv'))) {
    add({ file: r.file, oracle: r.oracle, numbersAreFrames: false, printsEveryFrame: r.counts_match === 'yes' });
  }
  // Every text file must be covered, also ones a manifest might not list.
  const dirs: [string, RegExp][] = [
    ['out', /\.out$/],
    [path.join('legacy-3.9.8', 'out'), /\.out$/],
    ['regen', /\.txt$/],
  ];
  for (const [dir, re] of dirs) {
    for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
      if (re.test(name)) add({ file: path.join(dir, name), numbersAreFrames: false });
    }
  }
  return texts;
}

/** Frame numbers that head a line in `-#` text (`%5u  ` at column 0). */
function printedFrameNumbers(text: string): Set<number> {
  const out = new Set<number>();
  const re = /^ *(\d+) {2}\S/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.add(Number(m[1]));
  return out;
}

/**
 * Ports tcpdump printed as service names (no -n; legacy eapon1 only), as IANA numbers them. The
 * text holds the name, the oracle the number; this table is the translation /etc/services does.
 */
const SERVICE_PORTS: Record<string, string> = { bootps: '67', bootpc: '68', 'netbios-ns': '137', 'netbios-dgm': '138' };

function portValue(v: string | undefined): string | undefined {
  return v === undefined || /^\d+$/.test(v) ? v : (SERVICE_PORTS[v] ?? v);
}

function fieldValues(p: Packet, o: OracleFrame): Record<Field, [string | undefined, string | undefined]> {
  return {
    src: [p.src, o.src],
    dst: [p.dst, o.dst],
    ttl: [p.ttl?.toString(), o.ttl?.toString()],
    ipId: [p.ipId?.toString(), o.family === 4 ? o.ipId?.toString() : undefined],
    srcPort: [portValue(p.srcPort), o.srcPort],
    dstPort: [portValue(p.dstPort), o.dstPort],
    flags: [p.flags, o.flags],
    proto: [
      p.proto,
      (o.transport && TSHARK_TRANSPORT[o.transport]) ?? (o.ipProto ? PROTOCOL_NUMBERS[o.ipProto] : undefined),
    ],
  };
}

/** Whether this field of this packet is compared; see the rules at the top of the file. */
function counts(
  field: Field,
  parsed: string | undefined,
  oracle: string | undefined,
  p: Packet,
  o: OracleFrame,
  text: string,
): boolean {
  if (parsed === undefined && oracle === undefined) return false;
  switch (field) {
    case 'ttl':
      // Without -v tcpdump prints no TTL: only a printed one can be compared.
      // An IP header print: `(tos 0x0, ttl 64` (3.9: `ttl  64`), IPv6 `hlim 64`.
      return parsed !== undefined || /\btos 0x[0-9a-f]+(?:,[^,]*)?, ttl +\d|\bhlim \d/.test(text);
    case 'ipId':
      return parsed !== undefined || /\bttl +\d+, id \d/.test(text);
    case 'flags':
      // `-q` prints `tcp 0` and no flags.
      return parsed !== undefined || !/: tcp \d/.test(text);
    case 'srcPort':
    case 'dstPort':
      // tshark's CSV carries TCP and UDP ports only; SCTP/DCCP ports have nothing to compare with.
      if (oracle === undefined && (o.transport === 'sctp' || o.transport === 'dccp')) return false;
      return true;
    case 'proto':
      // The text names the transport only sometimes (`UDP, length`, `proto UDP (17)`); a DNS
      // query shows none. Compare where the parser names one.
      return parsed !== undefined;
    default:
      return true;
  }
}

export function runCorpus(root: string): CorpusResult {
  const started = Date.now();
  const tally = Object.fromEntries(FIELDS.map((f) => [f, { compared: 0, agreed: 0 }])) as Record<Field, FieldTally>;
  const result: CorpusResult = {
    files: 0,
    parsedPackets: 0,
    alignedPackets: 0,
    withoutOracle: 0,
    unaligned: 0,
    nonIpFrames: 0,
    parseMilliseconds: 0,
    framesPrinted: 0,
    framesParsed: 0,
    orderedFrames: 0,
    orderedFramesParsed: 0,
    tally,
    disagreements: [],
    errors: [],
    milliseconds: 0,
  };
  const oracleCache = new Map<string, OracleFrame[]>();
  for (const t of listCorpusTexts(root)) {
    result.files++;
    const text = fs.readFileSync(path.join(root, t.file), 'utf8');
    let packets: Packet[];
    try {
      const t0 = performance.now();
      packets = parseCapture(text).packets;
      result.parseMilliseconds += performance.now() - t0;
    } catch (e) {
      result.errors.push({ file: t.file, error: (e as Error).stack ?? String(e) });
      continue;
    }
    result.parsedPackets += packets.length;
    const oracleFile = t.oracle && fs.existsSync(path.join(root, t.oracle)) ? t.oracle : undefined;
    let frames = oracleFile ? oracleCache.get(oracleFile) : undefined;
    if (oracleFile && !frames) {
      frames = readOracle(path.join(root, oracleFile));
      oracleCache.set(oracleFile, frames);
    }
    if (!frames || frames.length === 0) {
      result.withoutOracle += packets.length;
      continue;
    }
    const byNumber = new Map(frames.map((f) => [f.number, f]));
    const lines = text.split(/\r\n|\n|\r/);

    if (t.numbersAreFrames) {
      const parsedNumbers = new Set(packets.map((p) => p.frameNumber));
      for (const n of printedFrameNumbers(text)) {
        const f = byNumber.get(n);
        if (!f || f.family === undefined) continue;
        result.framesPrinted++;
        if (parsedNumbers.has(n)) result.framesParsed++;
        else
          result.disagreements.push({
            file: t.file,
            line: 0,
            frame: n,
            field: 'packet',
            parsed: '(none)',
            oracle: `${f.src} > ${f.dst}`,
          });
      }
    }

    const matchedFrames = new Set<number>();
    // Align each packet with its frame: by `-#` number, else by timestamp scanning forwards, else
    // by order among the frames tshark decodes as IP.
    let next = 0;
    for (const p of packets) {
      let frame: OracleFrame | undefined;
      if (t.numbersAreFrames && p.frameNumber !== undefined) {
        frame = byNumber.get(p.frameNumber);
      } else if (p.timestamp !== undefined && !t.numbersAreFrames) {
        for (let j = next; j < frames.length; j++) {
          if (timestampMatches(p.timestamp, frames[j])) {
            frame = frames[j];
            next = j + 1;
            break;
          }
        }
      } else {
        while (next < frames.length && frames[next].family === undefined) next++;
        frame = frames[next++];
      }
      const packetText = lines.slice(p.startLine, p.endLine + 1).join('\n');
      if (!frame) {
        result.unaligned++;
        result.disagreements.push({
          file: t.file,
          line: p.startLine + 1,
          frame: -1,
          field: 'packet',
          parsed: `${p.src} > ${p.dst}`,
          oracle: '(no frame found)',
        });
        continue;
      }
      if (frame.family === undefined) {
        result.nonIpFrames++;
        result.disagreements.push({
          file: t.file,
          line: p.startLine + 1,
          frame: frame.number,
          field: 'packet',
          parsed: `${p.src} > ${p.dst}`,
          oracle: '(not IP)',
        });
        continue;
      }
      result.alignedPackets++;
      matchedFrames.add(frame.number);
      const values = fieldValues(p, frame);
      for (const field of FIELDS) {
        const [parsed, oracle] = values[field];
        if (!counts(field, parsed, oracle, p, frame, packetText)) continue;
        tally[field].compared++;
        if (parsed === oracle) tally[field].agreed++;
        else
          result.disagreements.push({
            file: t.file,
            line: p.startLine + 1,
            frame: frame.number,
            field,
            parsed: parsed ?? '(none)',
            oracle: oracle ?? '(none)',
          });
      }
    }
    if (t.printsEveryFrame) {
      for (const f of frames) {
        if (f.family === undefined) continue;
        result.orderedFrames++;
        if (matchedFrames.has(f.number)) result.orderedFramesParsed++;
        else
          result.disagreements.push({
            file: t.file,
            line: 0,
            frame: f.number,
            field: 'packet',
            parsed: '(none)',
            oracle: `${f.src} > ${f.dst}`,
          });
      }
    }
  }
  result.milliseconds = Date.now() - started;
  return result;
}

export function formatTable(r: CorpusResult): string {
  const rows = [['field', 'compared', 'agreed', '%']];
  const pct = (a: number, c: number): string => (c === 0 ? '-' : ((100 * a) / c).toFixed(3));
  rows.push([
    'packet found (IP frame printed, -# files)',
    String(r.framesPrinted),
    String(r.framesParsed),
    pct(r.framesParsed, r.framesPrinted),
  ]);
  rows.push([
    'packet found (IP frame, frame-order files)',
    String(r.orderedFrames),
    String(r.orderedFramesParsed),
    pct(r.orderedFramesParsed, r.orderedFrames),
  ]);
  const matched = r.alignedPackets + r.nonIpFrames;
  rows.push(['packet is IP (per oracle)', String(matched), String(r.alignedPackets), pct(r.alignedPackets, matched)]);
  for (const f of FIELDS)
    rows.push([f, String(r.tally[f].compared), String(r.tally[f].agreed), pct(r.tally[f].agreed, r.tally[f].compared)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const out = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  out.push(
    `${r.files} files, ${r.parsedPackets} packets parsed, ${r.alignedPackets} matched to an IP frame, ${r.withoutOracle} in files without oracle, ${r.unaligned} unaligned, ${r.errors.length} exceptions; ${r.milliseconds} ms in all, ${Math.round(r.parseMilliseconds)} ms parsing`,
  );
  return out.join('\n');
}
