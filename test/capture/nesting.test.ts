import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderCaptureFrames } from '../../server/src/core/capture';
import { MAX_LAYERS } from '../../server/src/core/capture/printContext';
import { parseCapture } from '../../server/src/core/parse';
import { REPO_ROOT } from '../support/lspClient';
import { ethernetFrames, writePcap } from './captureVariants';

/*
 * Frames nested thousands deep: IP-in-IP, ICMP errors quoting ICMP errors, VXLAN in VXLAN,
 * IPv6-in-IPv6, a mix, and a chain of AH headers, around a real packet of the lab capture. The
 * printers recurse once per header; thousands of them overflowed the stack, and the CLI called
 * the file damaged (exit 2) where `tcpdump -nv -r` prints it (exit 0). Now MAX_LAYERS headers
 * are printed and the frame ends with tcpdump's cut mark ` [|proto]`: what is printed must be
 * exactly what the real tcpdump prints of the same file, line for line, up to the mark; AH
 * chains are read in a loop (as tcpdump does) and printed whole.
 */

const LAB_PCAP = path.join(REPO_ROOT, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => Uint8Array.from(p)));
const be16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];

function ipv4(proto: number, payload: Uint8Array): Uint8Array {
  const h = [0x45, 0, ...be16(20 + payload.length), 0, 0, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  [h[10], h[11]] = be16(checksum(Uint8Array.from(h)));
  return cat(h, payload);
}

function ipv6(next: number, payload: Uint8Array): Uint8Array {
  const address = (last: number): number[] => [0xfd, 0, ...Array<number>(13).fill(0), last];
  return cat([0x60, 0, 0, 0, ...be16(payload.length), next, 64, ...address(1), ...address(2)], payload);
}

/** ICMP port unreachable quoting `packet`. */
function icmpError(packet: Uint8Array): Uint8Array {
  const m = cat([3, 3, 0, 0, 0, 0, 0, 0], packet);
  [m[2], m[3]] = be16(checksum(m));
  return m;
}

const MACS = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const ethernet = (type: number, payload: Uint8Array): Uint8Array => cat(MACS, be16(type), payload);

/** VXLAN (UDP 4789, checksum 0 as IPv4 allows) carrying `ip` in an Ethernet frame. */
function vxlan(ip: Uint8Array): Uint8Array {
  const frame = ethernet(0x0800, ip);
  return ipv4(
    17,
    cat([...be16(4789), ...be16(4789), ...be16(16 + frame.length), 0, 0], [8, 0, 0, 0, 0, 0, 1, 0], frame),
  );
}

/** The IPv4 packet of a real frame of the lab capture (a TCP segment), cut to its total length. */
function realPacket(): Uint8Array {
  const frame = ethernetFrames(new Uint8Array(fs.readFileSync(LAB_PCAP))).find((f) => f.data[14 + 9] === 6)!;
  const ip = frame.data.subarray(14);
  return ip.subarray(0, (ip[2] << 8) | ip[3]);
}

/** An Ethernet pcap of one frame. */
function pcapOf(ip: Uint8Array, type = 0x0800): Uint8Array {
  const frame = ethernet(type, ip);
  return writePcap(1, [{ seconds: 1768469400, fraction: 0, originalLength: frame.length, data: frame }], {
    littleEndian: true,
    nano: false,
  });
}

function tcpdump(file: string): { code: number | null; lines: string[] } {
  const r = spawnSync('tcpdump', ['-nv', '-r', file], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { code: r.status, lines: r.stdout.split('\n').slice(0, -1) };
}

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;
/** IPv4 and IPv6 headers in -v text (`proto IPIP (4)` is no header). */
const IP_HEADER = /IP \(tos |IP6 \((?:class|flowlabel|hlim) /g;

interface Case {
  name: string;
  bytes: (depth: number) => Uint8Array;
  /** Levels of nesting around the real packet: the frame holds one more IP header than this. */
  depth: number;
  /** IP headers we print before the cut. */
  printed: number;
  /** Header we cut at, as the mark names it. */
  cut: string;
}

/** Wraps `inner` `depth` times with `wrap`. */
function nest(depth: number, wrap: (p: Uint8Array, level: number) => Uint8Array, inner = realPacket()): Uint8Array {
  let p = inner;
  for (let i = 0; i < depth; i++) p = wrap(p, i);
  return p;
}

const CASES: Case[] = [
  // The outer Ethernet header is a layer too: MAX_LAYERS - 1 IP headers fit.
  {
    name: 'IP-in-IP',
    depth: 3000,
    bytes: (n) => pcapOf(nest(n, (p) => ipv4(4, p))),
    printed: MAX_LAYERS - 1,
    cut: 'ip',
  },
  {
    name: 'ICMP errors quoting ICMP errors',
    depth: 2000,
    bytes: (n) => pcapOf(nest(n, (p) => ipv4(1, icmpError(p)))),
    printed: MAX_LAYERS - 1,
    cut: 'ip',
  },
  // Each level is an IP header and an Ethernet header.
  { name: 'VXLAN in VXLAN', depth: 1100, bytes: (n) => pcapOf(nest(n, vxlan)), printed: MAX_LAYERS / 2, cut: 'ether' },
  {
    name: 'IPv6-in-IPv6',
    depth: 1500,
    bytes: (n) =>
      pcapOf(
        nest(n, (p, i) => ipv6(i === 0 ? 4 : 41, p)),
        0x86dd,
      ),
    printed: MAX_LAYERS - 1,
    cut: 'ip6',
  },
  {
    name: 'IP-in-IP, ICMP errors and VXLAN mixed',
    depth: 1200,
    bytes: (n) =>
      pcapOf(nest(n, (p, i) => (i % 3 === 0 ? ipv4(4, p) : i % 3 === 1 ? ipv4(1, icmpError(p)) : vxlan(p)))),
    // From the outside: VXLAN (IP + Ethernet), ICMP (IP), IP-in-IP (IP); 99 layers after the outer Ethernet.
    printed: 74,
    cut: 'ip',
  },
];

describe('deeply nested frames: the outer layers as tcpdump prints them, the file not called damaged', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-nesting-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`${c.name} × ${c.depth}: ${c.printed} IP headers as tcpdump prints them, then [|${c.cut}]; exit 0 like tcpdump`, () => {
      const bytes = c.bytes(c.depth);
      const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.pcap`);
      fs.writeFileSync(file, bytes);
      const rendered = renderCaptureFrames(bytes);
      assert.deepEqual(rendered.warnings, [], 'no decoder error');
      assert.equal(rendered.frames.length, 1);
      const ours = rendered.frames[0].text.split('\n');
      const theirs = tcpdump(file);
      assert.equal(theirs.code, 0, 'tcpdump prints it without complaint');
      assert.equal(count(theirs.lines.join('\n'), IP_HEADER), c.depth + 1, 'tcpdump prints every level');

      // Line for line tcpdump's, up to the last line, which ends where the cut is, with its mark.
      const last = ours.length - 1;
      assert.deepEqual(ours.slice(0, last), theirs.lines.slice(0, last));
      const mark = ` [|${c.cut}]`;
      assert.ok(ours[last].endsWith(mark), JSON.stringify(ours[last]));
      const before = ours[last].slice(0, -mark.length);
      assert.ok(theirs.lines[last].startsWith(before), `${JSON.stringify(before)} / ${theirs.lines[last]}`);
      assert.equal(count(rendered.frames[0].text, IP_HEADER), c.printed);

      // The outermost packet — what the analysis reads — is the one tcpdump's text gives.
      const fromOurs = parseCapture(rendered.frames[0].text).packets[0];
      const fromTheirs = parseCapture(theirs.lines.join('\n')).packets[0];
      assert.deepEqual({ ...fromOurs, endLine: 0, endLineLength: 0 }, { ...fromTheirs, endLine: 0, endLineLength: 0 });

      // The CLI reads it as tcpdump does: no decoder error, not damaged, exit 0.
      const cli = spawnSync(process.execPath, [CLI, file], { encoding: 'utf8' });
      assert.equal(cli.stderr, '');
      assert.equal(cli.status, 0);
    });
  }

  it('a chain of 5000 AH headers is read in a loop and printed whole, as tcpdump does', () => {
    let proto = 6;
    let payload = realPacket().subarray(20);
    for (let i = 0; i < 5000; i++) {
      payload = cat([proto, 1, 0, 0, 0, 0, 0x10, 0x01, ...be16(0), ...be16(i)], payload);
      proto = 51;
    }
    const bytes = pcapOf(ipv4(proto, payload));
    const file = path.join(dir, 'ah-chain.pcap');
    fs.writeFileSync(file, bytes);
    const rendered = renderCaptureFrames(bytes);
    assert.deepEqual(rendered.warnings, []);
    const ours = rendered.frames[0].text;
    const theirs = tcpdump(file);
    assert.equal(theirs.code, 0);
    const text = theirs.lines.join('\n');
    assert.equal(count(ours, /AH\(/g), 5000);
    assert.equal(count(text, /AH\(/g), 5000);
    // (Each AH header's own wording differs from 4.99.3's; what follows the chain is the same.)
    assert.equal(ours.slice(ours.lastIndexOf('): ')), text.slice(text.lastIndexOf('): ')));
    assert.equal(ours.split('\n')[0], theirs.lines[0]);
    assert.equal(spawnSync(process.execPath, [CLI, file], { encoding: 'utf8' }).status, 0);
  });
});
