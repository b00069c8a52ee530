import * as assert from 'node:assert/strict';
import { analyze } from '../../server/src/core/analyze';
import { buildHopMap, type HopMap, type HopMapDevice, type HopMapResetGroup } from '../../server/src/core/hopMap';
import {
  ENGLISH_LABELS,
  JAPANESE_LABELS,
  MAX_SOURCE_LANES,
  boxesOverlap,
  hasMore,
  hopMapStatus,
  layoutHopMap,
  type HopMapLabels,
  type HopMapView,
  type LabelBox,
} from '../../client/src/hopMap/render';
import { hopMapShowMessage } from '../../client/src/hopMap/html';
import { manySendersCapture } from '../../scripts/fixtures/manySenders';

/*
 * The hop map at scale (issue 15): no two labels overlap, whatever the map, and every source is
 * reachable by filter or by page. The renderer lays out every <text> as a box; this test checks the
 * boxes against the markup (one per text element, at its x, y and anchor, at least as wide as its
 * characters at a narrow font's width), then that no two intersect.
 */

const decode = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

interface TextElement {
  x: number;
  y: number;
  anchor: string;
  size: number;
  text: string;
}

/** Every <text> element of the SVG: position, anchor, font size (by class) and shown text. */
function textElements(svg: string): TextElement[] {
  return [...svg.matchAll(/<text([^>]*)>([\s\S]*?)<\/text>/g)].map((m) => {
    const attr = (name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(m[1])?.[1];
    const shown = m[2].replace(/<title>[^<]*<\/title>/g, '').replace(/<[^>]+>/g, '');
    return {
      x: Number(attr('x')),
      y: Number(attr('y')),
      anchor: attr('text-anchor') ?? 'start',
      size: /\bsmall\b/.test(attr('class') ?? '') ? 11 : 12,
      text: decode(shown),
    };
  });
}

/** Fails unless the layout's boxes describe its text elements and no two of them intersect. */
function assertNoOverlap(map: HopMap, labels: HopMapLabels, view: HopMapView, what: string): LabelBox[] {
  const layout = layoutHopMap(map, labels, view);
  const texts = textElements(layout.markup);
  assert.equal(layout.boxes.length, texts.length, `${what}: one box per <text>`);
  texts.forEach((t, i) => {
    const b = layout.boxes[i];
    assert.equal(b.text.replace(/\s+/g, ' '), t.text.replace(/\s+/g, ' '), `${what}: box ${i} is "${t.text}"`);
    // At least as wide as the characters at half an em each (no font is narrower on average).
    assert.ok(b.width >= [...t.text].length * t.size * 0.5, `${what}: "${t.text}" box ${b.width} px too narrow`);
    assert.ok(b.height >= t.size * 1.2 && b.y <= t.y - t.size * 0.9 && b.y + b.height >= t.y + t.size * 0.25);
    const left = t.anchor === 'start' ? t.x : t.anchor === 'middle' ? t.x - b.width / 2 : t.x - b.width;
    assert.ok(Math.abs(b.x - left) < 0.11, `${what}: "${t.text}" box at ${b.x}, drawn from ${left}`);
    assert.ok(b.x >= 0 && b.x + b.width <= layout.width && b.y >= 0 && b.y + b.height <= layout.height + 4);
  });
  const boxes = layout.boxes;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      assert.ok(
        !boxesOverlap(boxes[i], boxes[j]),
        `${what}: "${boxes[i].text}" (${JSON.stringify(boxes[i])}) overlaps "${boxes[j].text}" (${JSON.stringify(boxes[j])})`,
      );
  return boxes;
}

const sendersMap = (servers: number, clients: number): HopMap =>
  buildHopMap(analyze(manySendersCapture({ servers, clients }).text));

/** The same RSTs with no device: one "RST sender?" group each, the picture before devices. */
const withoutDevices = (map: HopMap): HopMap => ({
  ...map,
  devices: [],
  suspiciousResets: map.suspiciousResets.map(({ device: _device, ...g }) => g),
});

/** `n` devices at two distances, each speaking for one host, with long hostile names. */
function crowdedDevices(n: number): HopMap {
  const devices: HopMapDevice[] = [];
  const groups: HopMapResetGroup[] = [];
  const sources: HopMap['sources'] = [];
  for (let i = 0; i < n; i++) {
    const address = i % 7 === 0 ? `<b>host-${i}.${'ü'.repeat(40)}.例え.テスト\u202e.example.com</b>` : `10.9.${i}.1`;
    const hops = 2 + (i % 2);
    sources.push({
      address,
      packets: 3,
      distances: [{ hops: 6, packets: 3, firstLine: i * 10, ttls: [58], initialTtls: [64] }],
    });
    devices.push({
      id: i + 1,
      hops,
      initialTtl: 255,
      confidence: 'high',
      ttl: 255 - hops,
      lines: [i * 10 + 1, i * 10 + 3],
      claimedSources: [{ address, hostHops: 6, hopsBefore: 6 - hops, resets: 2 }],
    });
    groups.push({
      claimedSource: address,
      hops,
      ttls: [255 - hops],
      initialTtl: 255,
      lines: [i * 10 + 1, i * 10 + 3],
      claimedSourceHops: [6],
      nearestClaimedHops: 6,
      confidence: 'high',
      device: i + 1,
    });
  }
  return { sources, devices, suspiciousResets: groups, maxHops: 6, packetCount: n * 10, packetsWithHops: n * 10 };
}

/** A long Internet path: sources seen from many distances each, at every hop up to 200. */
function longPath(): HopMap {
  const sources: HopMap['sources'] = Array.from({ length: 30 }, (_, i) => {
    const distances = Array.from({ length: 12 }, (_, k) => {
      const hops = Math.min(200, i * 5 + k * (1 + (i % 3)));
      return { hops, packets: 100 + k, firstLine: k, ttls: [255 - hops], initialTtls: [255] };
    }).filter((d, k, all) => all.findIndex((e) => e.hops === d.hops) === k);
    return { address: `2001:db8:${i}::${i}`, packets: distances.length * 100, distances };
  });
  const loose: HopMapResetGroup[] = Array.from({ length: 60 }, (_, i) => ({
    claimedSource: `2001:db8:${i % 30}::${i % 30}`,
    hops: 100 + (i % 3),
    ttls: [155 - (i % 3)],
    initialTtl: 255,
    lines: [i],
    claimedSourceHops: [],
    confidence: 'low',
  }));
  return { sources, devices: [], suspiciousResets: loose, maxHops: 200, packetCount: 400, packetsWithHops: 400 };
}

describe('hop map layout at scale: labels never collide', () => {
  for (const [servers, clients] of [
    [1, 0],
    [5, 10],
    [40, 120],
    [200, 300],
  ] as const) {
    it(`${servers} RST senders, ${clients} more sources: devices on the ruler, no two label boxes overlap`, () => {
      const map = sendersMap(servers, clients);
      assert.ok(map.devices.length >= 1);
      for (const labels of [ENGLISH_LABELS, JAPANESE_LABELS]) {
        assertNoOverlap(map, labels, {}, `${servers} senders`);
        assertNoOverlap(map, labels, { pages: 3 }, `${servers} senders, 3 pages`);
        assertNoOverlap(withoutDevices(map), labels, {}, `${servers} senders, no devices`);
      }
      // One label per device over the ruler, not one per RST group.
      const shown = layoutHopMap(map, ENGLISH_LABELS, {}).boxes.map((b) => b.text);
      assert.equal(shown.filter((t) => /^device #\d+ · \d+ RSTs$/.test(t)).length, map.devices.length);
      assert.ok(!shown.includes('RST sender?'));
    });
  }

  it('200 devices at two distances, with long hostile names: stacked, cut with an ellipsis, no overlap', () => {
    const map = crowdedDevices(200);
    for (const labels of [ENGLISH_LABELS, JAPANESE_LABELS]) {
      const boxes = assertNoOverlap(map, labels, {}, '200 devices');
      assert.ok(boxes.some((b) => b.text.includes('…')));
    }
    const out = layoutHopMap(map, ENGLISH_LABELS, {}).markup;
    assert.ok(!out.includes('<b>') && !out.includes('\u202e'));
    // Every device keeps its marker on the ruler and its lane, labelled or not.
    assert.equal((out.match(/<rect class="device target"/g) ?? []).length, 200);
    assert.equal((out.match(/<path class="reset target"/g) ?? []).length, 200);
  });

  it('a 200-hop path with sources seen from a dozen distances and 60 RST groups of no device', () => {
    for (const labels of [ENGLISH_LABELS, JAPANESE_LABELS]) assertNoOverlap(longPath(), labels, {}, 'long path');
  });
});

describe('hop map filter and pages: nothing silently dropped', () => {
  const capture = manySendersCapture({ servers: 40, clients: 120 });
  const map = buildHopMap(analyze(capture.text));
  const drawnSources = (view: HopMapView): string[] =>
    [
      ...layoutHopMap(map, ENGLISH_LABELS, view).markup.matchAll(
        /<circle class="source target"[^>]* aria-label="([^:"]+):/g,
      ),
    ]
      .map((m) => m[1])
      .filter((a, i, all) => all.indexOf(a) === i);

  it('says how many sources are drawn of how many, and how to reach the rest', () => {
    const layout = layoutHopMap(map, ENGLISH_LABELS, {});
    assert.deepEqual(layout.counts.sources, { total: 161, matching: 161, shown: MAX_SOURCE_LANES });
    assert.equal(
      hopMapStatus(layout, ENGLISH_LABELS, {}),
      `Showing ${MAX_SOURCE_LANES} of 161 sources — type to filter, or show more.`,
    );
    assert.ok(hasMore(layout.counts));
    assert.match(hopMapStatus(layout, JAPANESE_LABELS, {}), /送信元 161 個中 50 個を表示/);
    // The claimed hosts come first, so the device lanes' hosts are on the first page.
    const first = drawnSources({});
    for (const server of capture.servers) assert.ok(first.includes(server), `${server} not on the first page`);
  });

  it('a filter draws only the sources whose address contains it, and the devices that spoke for them', () => {
    const drawn = drawnSources({ filter: ' 172.16.0.1' });
    assert.deepEqual(
      drawn.sort(),
      map.sources
        .map((s) => s.address)
        .filter((a) => a.includes('172.16.0.1'))
        .sort(),
    );
    assert.ok(drawn.length > 0 && drawn.length < MAX_SOURCE_LANES);
    const layout = layoutHopMap(map, ENGLISH_LABELS, { filter: '172.16.0.1' });
    assert.equal(
      hopMapStatus(layout, ENGLISH_LABELS, { filter: '172.16.0.1' }),
      `${drawn.length} of 161 sources match “172.16.0.1”.`,
    );
    assert.ok(!hasMore(layout.counts));
    // Device lanes follow the filter: only the devices that spoke for a matching host.
    const one = layoutHopMap(map, ENGLISH_LABELS, { filter: '172.16.0.7' });
    assert.deepEqual(one.counts.devices, { total: 6, shown: 1 });
    assert.match(one.markup, /device #6 \(medium\): 12 RSTs claiming 6 hosts/);
    assert.deepEqual(
      one.boxes.filter((b) => /^device #\d \(/.test(b.text)).map((b) => b.text.slice(0, 10)),
      ['device #6 '],
    );
    const none = layoutHopMap(map, ENGLISH_LABELS, { filter: 'no such host' });
    assert.equal(
      hopMapStatus(none, ENGLISH_LABELS, { filter: 'no such host' }),
      'No source matches “no such host” (161 sources in all).',
    );
  });

  it('pages reach every source, each drawn once', () => {
    const seen = new Set<string>();
    let pages = 1;
    for (; ; pages++) {
      const layout = layoutHopMap(map, ENGLISH_LABELS, { pages });
      for (const a of drawnSources({ pages })) seen.add(a);
      if (!hasMore(layout.counts)) break;
    }
    assert.equal(pages, Math.ceil(161 / MAX_SOURCE_LANES));
    assert.deepEqual([...seen].sort(), [...map.sources.map((s) => s.address)].sort());
  });

  it('the status reaches the page as plain text: a hostile filter is neutralised', () => {
    const filter = '<img src=x onerror=alert(1)>\u202e\u001b[2J';
    const layout = layoutHopMap(map, ENGLISH_LABELS, { filter });
    const message = hopMapShowMessage(
      't',
      layout.markup,
      hopMapStatus(layout, ENGLISH_LABELS, { filter }),
      undefined,
      filter,
    );
    assert.ok(!message.status.includes('\u202e') && !message.status.includes('\u001b'));
    assert.match(message.status, /\\u202e\\x1b\[2J/);
  });
});
