import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { readCaptureContainer, renderCaptureAsText, renderCaptureFrames } from '../../server/src/core/capture';
import * as variants from './captureVariants';
import { compareFile } from './tcpdump-agreement';

/*
 * Damaged captures: truncated and corrupted copies of a real lab pcap, made here. The decoder must
 * never throw, must say what is wrong, and what it still prints must agree with what the real
 * tcpdump prints of the same damaged file.
 */

const REPO = path.resolve(__dirname, '..', '..');
const LAB_PCAP = path.join(REPO, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap');
const real = new Uint8Array(fs.readFileSync(LAB_PCAP));

/** Byte offsets of each record header in a little-endian µs pcap. */
function recordOffsets(bytes: Uint8Array): number[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + view.readUInt32LE(at + 8)) out.push(at);
  return out;
}

describe('damaged captures', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpdump-lens-damage-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const records = recordOffsets(real);

  it('truncated anywhere: frames before the cut agree with tcpdump, the cut is named', () => {
    const cuts = [records[5] + 7, records[10] + 16 + 20, records[20] + 16, records[records.length - 1] + 30];
    for (const cut of cuts) {
      const file = path.join(dir, `cut-${cut}.pcap`);
      fs.writeFileSync(file, real.subarray(0, cut));
      const r = compareFile(file);
      assert.equal(r.disagreements.length, 0, `cut at ${cut}: ${JSON.stringify(r.disagreements.slice(0, 3))}`);
      assert.deepEqual(r.findings.ours, r.findings.tcpdump);
      assert.match(r.tcpdumpStderr, /truncated dump file/);
      assert.equal(r.renderWarnings.length, 1, `cut at ${cut}`);
      assert.match(r.renderWarnings[0], /pcap (record header of )?frame \d+ truncated/);
    }
  });

  it('a record claiming more bytes than libpcap allows stops the walk, like tcpdump', () => {
    const bytes = Uint8Array.from(real);
    const at = records[12];
    Buffer.from(bytes.buffer).writeUInt32LE(0x7fffffff, at + 8);
    const file = path.join(dir, 'huge-record.pcap');
    fs.writeFileSync(file, bytes);
    const r = compareFile(file);
    assert.equal(r.disagreements.length, 0);
    assert.match(r.tcpdumpStderr, /invalid packet capture length|bigger than/);
    assert.match(r.renderWarnings.join('\n'), /frame 13 .* claims 2147483647 captured bytes: file damaged/);
    assert.equal(renderCaptureFrames(bytes).frames.length, 12);
  });

  it("a record whose lengths contradict each other prints tcpdump's [Invalid header] line", () => {
    const bytes = Uint8Array.from(real);
    Buffer.from(bytes.buffer).writeUInt32LE(10, records[3] + 12); // wire length below captured length
    const file = path.join(dir, 'len-below-caplen.pcap');
    fs.writeFileSync(file, bytes);
    const r = compareFile(file);
    assert.equal(r.disagreements.length, 0);
    const line = renderCaptureFrames(bytes, { numbered: true }).frames[3].text;
    assert.match(line, /^ +4 {2}\[Invalid header: len\(10\) < caplen\(\d+\)\]$/);
  });

  it('corrupted packet bytes (seeded): never a throw, and agreement with tcpdump', () => {
    // Flip bytes inside packet data only, so both readers walk the same records.
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let copy = 0; copy < 6; copy++) {
      const bytes = Uint8Array.from(real);
      for (let k = 0; k < 40; k++) {
        const rec = records[next() % records.length];
        const captured = Buffer.from(bytes.buffer).readUInt32LE(rec + 8);
        // Past the Ethernet header so the frame stays IP and the corruption reaches IP/TCP/ICMP.
        if (captured > 14) bytes[rec + 16 + 14 + (next() % (captured - 14))] = next() & 0xff;
      }
      const file = path.join(dir, `flipped-${copy}.pcap`);
      fs.writeFileSync(file, bytes);
      const r = compareFile(file);
      assert.equal(r.disagreements.length, 0, `copy ${copy}: ${JSON.stringify(r.disagreements.slice(0, 3))}`);
      assert.deepEqual(r.findings.ours, r.findings.tcpdump, `copy ${copy}`);
    }
  });

  it('pcapng: bad block length, truncated block, unknown interface: warnings, frames kept', () => {
    const frames = variants.ethernetFrames(real);
    const ng = variants.writePcapng([{ linkType: 1, resolution: 6, records: variants.asRecords(frames) }], true);
    const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    // Walk to the 6th packet block.
    let at = 0;
    let packets = 0;
    while (packets < 6) {
      if (view(ng).readUInt32LE(at) === 6) packets++;
      if (packets < 6) at += view(ng).readUInt32LE(at + 4);
    }
    const badLength = Uint8Array.from(ng);
    view(badLength).writeUInt32LE(13, at + 4);
    let c = readCaptureContainer(badLength);
    assert.equal(c.frames.length, 5);
    assert.match(c.warnings[0], /invalid length 13: stopping/);

    c = readCaptureContainer(ng.subarray(0, at + 30));
    assert.equal(c.frames.length, 5);
    assert.match(c.warnings[0], /truncated: 30 of \d+ bytes present/);

    const unknownInterface = Uint8Array.from(ng);
    view(unknownInterface).writeUInt32LE(7, at + 8);
    c = readCaptureContainer(unknownInterface);
    assert.equal(c.frames.length, frames.length - 1);
    assert.match(c.warnings[0], /names interface 7, which was not described: skipped/);
  });

  it('pcapng record longer than the snapshot length: libpcap stops there, and so do we', () => {
    const ng = Buffer.from(
      variants.writePcapng(
        [{ linkType: 1, resolution: 6, records: variants.asRecords(variants.ethernetFrames(real)) }],
        true,
      ),
    );
    ng.writeUInt32LE(60, 28 + 8 + 4); // the interface's snaplen (section header block: 28 bytes)
    const file = path.join(dir, 'snaplen-60.pcapng');
    fs.writeFileSync(file, ng);
    const r = compareFile(file);
    assert.equal(r.disagreements.length, 0);
    assert.match(r.tcpdumpStderr, /bigger than snaplen of 60/);
    assert.match(r.renderWarnings[0], /claims \d+ captured bytes, more than the snapshot length 60: stopping/);
    assert.equal(renderCaptureFrames(ng).frames.length, 2, 'the two 42-byte ARP frames before the first IP packet');
  });

  it('unknown link type: every frame listed as unsupported, with a clear warning', () => {
    const bytes = Uint8Array.from(real);
    Buffer.from(bytes.buffer).writeUInt32LE(147, 20); // LINKTYPE_USER0
    const rendered = renderCaptureFrames(bytes);
    assert.equal(rendered.frames.length, records.length);
    assert.match(rendered.frames[0].text, /^\d\d:\d\d:\d\d\.\d{6} \[unsupported link-type 147, length \d+\]$/);
    assert.deepEqual(rendered.warnings, [
      `link-type 147 is not supported: ${records.length} frame(s) shown without decoding`,
    ]);
  });

  it('not a capture at all', () => {
    assert.match(
      renderCaptureFrames(new TextEncoder().encode('13:55:23.956113 IP 10.0.0.1 > 10.0.0.2: ICMP echo request\n'))
        .warnings[0],
      /not a pcap or pcapng file/,
    );
    assert.match(renderCaptureFrames(new Uint8Array(2)).warnings[0], /only 2 bytes/);
    assert.match(renderCaptureFrames(real.subarray(0, 20)).warnings[0], /pcap file header truncated: 20 of 24 bytes/);
  });

  it('never throws on any bytes, nor on any mutation of a real capture', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        renderCaptureAsText(b);
      }),
      { numRuns: 300 },
    );
    const head = real.subarray(0, 2000);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(head.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 30 }),
        fc.nat(head.length),
        (edits, cut) => {
          const b = Uint8Array.from(head.subarray(0, Math.max(cut, 24)));
          for (const [i, v] of edits) if (i < b.length) b[i] = v;
          renderCaptureAsText(b);
        },
      ),
      { numRuns: 300 },
    );
  });
});
