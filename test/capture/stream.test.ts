import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  CaptureStreamReader,
  CaptureTextStream,
  FrameLineIndex,
  FrameRenderer,
  readCaptureContainer,
  renderCaptureAsText,
  renderCaptureFrames,
  type CapturedFrame,
} from '../../server/src/core/capture';
import { encodePcapRecord, planCapture } from '../../scripts/bench/generate';
import { hasShared, noteWithoutShared, sharedPath } from '../support/shared';
import { asRecords, ethernetFrames, writePcap, writePcapng } from './captureVariants';

/*
 * The stream reader and the frame renderer against the whole-buffer reader and renderer: pushed
 * in chunks of any size (one byte included), every capture we have gives the same frames, the
 * same warnings and the same text, damaged ones too; and what the reader holds stays bounded.
 */

const REPO = path.resolve(__dirname, '..', '..');
const CORPUS = ['corpus', 'pcaps'];

function capturesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...capturesUnder(p));
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const files = [
  ...capturesUnder(path.join(REPO, 'test', 'fixtures')),
  ...(hasShared(...CORPUS) ? capturesUnder(sharedPath(...CORPUS)) : []),
];

/** Pushes `bytes` cut at `sizes` (cycled), copying each chunk and then scribbling over the copy. */
function stream(
  bytes: Uint8Array,
  sizes: readonly number[],
  numbered = false,
): { format: string; frames: CapturedFrame[]; warnings: string[]; texts: string[]; maxBuffered: number } {
  const reader = new CaptureStreamReader();
  const renderer = new FrameRenderer({ numbered });
  const frames: CapturedFrame[] = [];
  const texts: string[] = [];
  let maxBuffered = 0;
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    // A plain copy (Buffer's slice would be a view of `bytes`).
    const chunk = Uint8Array.prototype.slice.call(bytes, at, at + n);
    for (const f of reader.push(chunk)) {
      frames.push(f);
      texts.push(renderer.render(f).text);
    }
    // The frames must own their bytes: a reused chunk buffer may not change them.
    chunk.fill(0xee);
    maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
    at += n;
  }
  const end = reader.end();
  assert.equal(end.frames, frames.length);
  return { format: end.format, frames, warnings: [...end.warnings, ...renderer.end()], texts, maxBuffered };
}

/** A frame as plain data (its bytes as an array, so deepEqual compares contents). */
const plain = (f: CapturedFrame): unknown => ({ ...f, data: Array.from(f.data) });

function assertSameAsWhole(bytes: Uint8Array, sizes: readonly number[], label: string): void {
  const whole = readCaptureContainer(bytes);
  const rendered = renderCaptureFrames(bytes);
  const s = stream(bytes, sizes);
  assert.equal(s.format, whole.format, label);
  assert.deepEqual(s.frames.map(plain), whole.frames.map(plain), label);
  assert.deepEqual(s.warnings, rendered.warnings, label);
  assert.deepEqual(
    s.texts,
    rendered.frames.map((f) => f.text),
    label,
  );
}

describe('capture stream reader and frame renderer', function () {
  this.timeout(120000);
  noteWithoutShared('the tcpdump corpus pcaps, streamed', CORPUS);

  it(`every fixture and corpus capture (${files.length}), in random chunk sizes: the whole-buffer frames, warnings and text`, () => {
    assert.ok(files.length >= 20, `only ${files.length} captures found`);
    for (const file of files) {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const label = path.relative(REPO, file);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
          assertSameAsWhole(bytes, sizes, label);
        }),
        { seed: 424242, numRuns: 3 },
      );
      // Small sizes, one byte at a time included, for the smaller files.
      const small = bytes.length <= 200_000 ? [[1], [3, 1, 7], [13, 2, 61, 5]] : [[997, 1, 4093]];
      for (const sizes of small) assertSameAsWhole(bytes, sizes, `${label} in chunks of ${sizes.join(',')}`);
    }
  });

  it(`CaptureTextStream, every capture in random chunk sizes: renderCaptureAsText's text and warnings; the line index gives each line's frame`, () => {
    for (const file of files) {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const label = path.relative(REPO, file);
      const whole = renderCaptureAsText(bytes);
      const frames = renderCaptureFrames(bytes).frames;
      // What the CLI held before the index: one array entry per line, naming the line's frame.
      const frameAt: number[] = [];
      for (const f of frames) for (let i = 0; i <= (f.text.match(/\n/g) ?? []).length; i++) frameAt.push(f.number);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
          const index = new FrameLineIndex();
          const decoder = new CaptureTextStream({ index });
          let text = '';
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const n = sizes[i % sizes.length];
            text += decoder.push(Uint8Array.prototype.slice.call(bytes, at, at + n));
            at += n;
          }
          const end = decoder.end();
          assert.equal(text, whole.text, label);
          assert.deepEqual(end.warnings, whole.warnings, label);
          assert.equal(end.frames, whole.packets, label);
          assert.equal(index.frameCount, whole.packets, label);
          for (let line = -1; line <= frameAt.length; line++)
            assert.equal(index.frameOf(line), frameAt[line], `${label}: line ${line}`);
        }),
        { seed: 31337, numRuns: 2 },
      );
    }
  });

  it('FrameLineIndex grows past its first buffer: a million frames of one to three lines', () => {
    const index = new FrameLineIndex();
    const firsts: number[] = [];
    let lines = 0;
    for (let f = 0; f < 1_000_000; f++) {
      firsts.push(lines);
      const n = 1 + (f % 3);
      index.add(n);
      lines += n;
    }
    assert.equal(index.frameCount, 1_000_000);
    for (const f of [0, 1, 2, 1023, 1024, 1025, 500_000, 999_999]) {
      assert.equal(index.frameOf(firsts[f]), f + 1);
      assert.equal(index.frameOf(firsts[f] + (f % 3)), f + 1, `last line of frame ${f + 1}`);
    }
    assert.equal(index.frameOf(lines), undefined);
    assert.equal(new FrameLineIndex().frameOf(0), undefined);
  });

  it('truncated anywhere, streamed: the frames and the warning of the whole-buffer read', () => {
    const candidates = files.filter((f) => fs.statSync(f).size < 100_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: candidates.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
        (index, fraction, sizes) => {
          const full = new Uint8Array(fs.readFileSync(candidates[index]));
          const cut = full.subarray(0, Math.floor(full.length * fraction));
          assertSameAsWhole(cut, sizes, `${candidates[index]} cut at ${cut.length}`);
        },
      ),
      { seed: 1729, numRuns: 150 },
    );
  });

  it('pcap in both byte orders, µs and ns; pcapng big-endian with two interfaces and two sections', () => {
    const frames = ethernetFrames(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap')));
    const records = asRecords(frames);
    const variants: [string, Uint8Array][] = [
      ['pcap BE ns', writePcap(1, records, { littleEndian: false, nano: true })],
      ['pcap LE µs', writePcap(1, records, { littleEndian: true, nano: false })],
    ];
    const ng = (le: boolean): Uint8Array =>
      writePcapng(
        [
          { linkType: 1, resolution: 9, records: records.slice(0, 20) },
          { linkType: 1, resolution: 6, records: records.slice(20) },
        ],
        le,
      );
    variants.push(['pcapng BE', ng(false)], ['pcapng LE + BE sections', Buffer.concat([ng(true), ng(false)])]);
    for (const [label, bytes] of variants) {
      assert.ok(readCaptureContainer(bytes).frames.length >= frames.length, label);
      for (const sizes of [[1], [5, 17], [4096]]) assertSameAsWhole(bytes, sizes, `${label} in ${sizes.join(',')}`);
    }
  });

  it('a large unknown pcapng block is skipped without being held; a damaged trailing length still stops', () => {
    const records = asRecords(
      ethernetFrames(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'))),
    );
    const ng = Buffer.from(writePcapng([{ linkType: 1, resolution: 6, records }], true));
    // A custom block (0x00000bad) of 8 MiB after the interface block.
    // Section header (28 bytes), then the interface block: the first packet block follows it.
    const firstEpb = 28 + ng.readUInt32LE(28 + 4);
    const big = Buffer.alloc(8 << 20);
    big.writeUInt32LE(0xbad, 0);
    big.writeUInt32LE(big.length, 4);
    big.writeUInt32LE(big.length, big.length - 4);
    const bytes = Buffer.concat([ng.subarray(0, firstEpb), big, ng.subarray(firstEpb)]);
    const s = stream(bytes, [65536]);
    assert.equal(s.frames.length, records.length);
    assert.ok(s.maxBuffered < 65536, `held ${s.maxBuffered} bytes`);
    assertSameAsWhole(bytes, [65536, 3], 'with a big custom block');

    big.writeUInt32LE(12345, big.length - 4);
    const damaged = Buffer.concat([ng.subarray(0, firstEpb), big, ng.subarray(firstEpb)]);
    const d = stream(damaged, [65536]);
    assert.equal(d.frames.length, 0);
    assert.deepEqual(d.warnings, [
      `pcapng block at byte ${firstEpb} (type 0xbad): trailing length 12345 differs from ${big.length}: stopping`,
    ]);
    assertSameAsWhole(damaged, [1000], 'damaged trailing length');
  });

  it('a parsed pcapng block over the block limit is damage, whole or streamed', () => {
    const records = asRecords(
      ethernetFrames(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'lab', 'ttl64-ipv4.pcap'))),
    );
    const ng = writePcapng([{ linkType: 1, resolution: 6, records }], true);
    for (const sizes of [[ng.length], [7]]) {
      const reader = new CaptureStreamReader({ maxBlockBytes: 100 });
      let frames = 0;
      for (let at = 0; at < ng.length; at += sizes[0]) frames += reader.push(ng.slice(at, at + sizes[0])).length;
      const end = reader.end();
      assert.ok(reader.stopped);
      assert.equal(end.frames, frames);
      assert.equal(end.warnings.length, 1);
      assert.match(
        end.warnings[0],
        /^pcapng block at byte \d+ \(type 0x6\) claims \d+ bytes, more than the 100 this reader accepts: stopping$/,
      );
    }
  });

  it('not a capture, or fewer than 4 bytes: the whole-buffer warnings', () => {
    for (const bytes of [
      new Uint8Array(0),
      Uint8Array.of(0xd4, 0xc3),
      new TextEncoder().encode('12:00:00.000000 IP'),
    ]) {
      const whole = readCaptureContainer(bytes);
      const s = stream(bytes, [1]);
      assert.equal(s.format, 'unknown');
      assert.deepEqual(s.warnings, whole.warnings);
    }
  });

  it('push after end is refused; end twice gives the same answer', () => {
    const reader = new CaptureStreamReader();
    reader.push(Uint8Array.of(0xd4, 0xc3, 0xb2));
    const first = reader.end();
    assert.deepEqual(reader.end(), first);
    assert.throws(() => reader.push(Uint8Array.of(0xa1)), /push after end/);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('200k generated frames, generated and pushed 64 KiB at a time: the reader never holds more than one record', () => {
    const reader = new CaptureStreamReader();
    const renderer = new FrameRenderer();
    const buf = Buffer.alloc(1 << 20);
    buf.writeUInt32LE(0xa1b2c3d4, 0);
    buf.writeUInt16LE(2, 4);
    buf.writeUInt16LE(4, 6);
    buf.writeUInt32LE(262144, 16);
    buf.writeUInt32LE(1, 20);
    let at = 24;
    let largest = 0;
    let frames = 0;
    let lines = 0;
    let maxBuffered = 0;
    let total = 0;
    // Exactly 64 KiB per push, cut wherever that falls; the generator's buffer is then reused.
    const flush = (size: number): void => {
      for (const f of reader.push(buf.subarray(0, size))) {
        frames++;
        if (renderer.render(f).text.length > 0) lines++;
      }
      maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
      total += size;
      buf.copyWithin(0, size, at);
      at -= size;
    };
    planCapture(200000, 99, 'nv', (p) => {
      const n = encodePcapRecord(p, buf, at);
      largest = Math.max(largest, n);
      at += n;
      if (at >= 65536) flush(65536);
    });
    flush(at);
    const end = reader.end();
    assert.deepEqual(end.warnings, []);
    assert.equal(frames, 200000);
    assert.equal(lines, 200000);
    assert.ok(total > 20 << 20, `only ${total} bytes generated`);
    assert.ok(maxBuffered > 0 && maxBuffered <= largest, `held ${maxBuffered} bytes, the largest record is ${largest}`);
    assert.ok(renderer.conversations <= 65536);
  });

  it('the conversation cap: an evicted conversation prints as a first one; the default cap changes nothing here', () => {
    const buf = Buffer.alloc(4 << 20);
    let at = 0;
    planCapture(3000, 5, 'nv', (p) => {
      at += encodePcapRecord(p, buf, at);
    });
    const records = buf.subarray(0, at);
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    const bytes = Buffer.concat([header, records]);
    const frames = readCaptureContainer(bytes).frames;
    const renderAll = (r: FrameRenderer): string[] => frames.map((f) => r.render(f).text);
    const unbounded = new FrameRenderer({ maxTcpConversations: 1e9 });
    const full = renderAll(unbounded);
    assert.ok(unbounded.conversations > 20, `only ${unbounded.conversations} conversations`);
    assert.deepEqual(renderAll(new FrameRenderer()), full);
    assert.deepEqual(
      renderCaptureFrames(bytes).frames.map((f) => f.text),
      full,
    );
    // Two TCP conversations interleaved packet by packet: with one remembered, each switch
    // forgets the other, whose next packet then starts over and prints absolute numbers.
    const byConversation = new Map<string, CapturedFrame[]>();
    full.forEach((t, i) => {
      const m = /(\S+) > (\S+): Flags \[([^\]]*)\]/.exec(t);
      if (!m || m[3].includes('S')) return;
      const key = [m[1], m[2].replace(/:$/, '')].sort().join(' ');
      byConversation.set(key, [...(byConversation.get(key) ?? []), frames[i]]);
    });
    const [a, b] = [...byConversation.values()].filter((l) => l.length >= 3);
    assert.ok(a && b, 'two TCP conversations with three packets past their SYNs');
    const mixed = [a[0], b[0], a[1], b[1], a[2], b[2]];
    const all = new FrameRenderer();
    const one = new FrameRenderer({ maxTcpConversations: 1 });
    const withAll = mixed.map((f) => all.render(f).text);
    const withOne = mixed.map((f) => one.render(f).text);
    assert.equal(one.conversations, 1);
    assert.deepEqual(withOne.slice(0, 2), withAll.slice(0, 2), 'first packets print the same');
    for (let i = 2; i < 6; i++) {
      assert.notEqual(withOne[i], withAll[i], `packet ${i} of the mix`);
      // As a first packet prints (the conversation starts over here).
      assert.equal(withOne[i], new FrameRenderer().render(mixed[i]).text);
    }
  });
});
