import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { buildHopMap, type HopMap } from '../../server/src/core/hopMap';
import {
  MAX_FILTER_LENGTH,
  buildHopMapHtml,
  filterText,
  hopMapShowMessage,
  newNonce,
} from '../../client/src/hopMap/html';
import {
  ENGLISH_LABELS,
  JAPANESE_LABELS,
  MAX_SOURCE_LANES,
  escapeMarkup,
  renderHopMapSvg,
} from '../../client/src/hopMap/render';

const repoRoot = path.resolve(__dirname, '..', '..');
const mapOf = (relative: string): HopMap =>
  buildHopMap(analyze(fs.readFileSync(path.join(repoRoot, relative), 'utf8')));

/** Every start tag in the markup, with its attributes (the renderer writes them as name="value"). */
function tags(markup: string): { name: string; attrs: Map<string, string>; raw: string }[] {
  const out: { name: string; attrs: Map<string, string>; raw: string }[] = [];
  for (const m of markup.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[2].matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) attrs.set(a[1], a[2] ?? '');
    out.push({ name: m[1].toLowerCase(), attrs, raw: m[0] });
  }
  return out;
}

/** Text nodes as a browser would show them (entities decoded), in document order. */
function textContent(markup: string): string {
  return markup
    .replace(/<title>[^<]*<\/title>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

const SVG_ELEMENTS = new Set(['svg', 'line', 'circle', 'rect', 'path', 'text', 'tspan', 'title']);

describe('hop map SVG', () => {
  const seed = mapOf('test/fixtures/seed-firewall-rst.txt');
  const svg = renderHopMapSvg(seed, ENGLISH_LABELS);
  const all = tags(svg);
  const tickX = new Map<string, number>();
  for (const m of svg.matchAll(/<text class="muted" x="([\d.]+)" y="\d+" text-anchor="middle">(\d+)<\/text>/g))
    tickX.set(m[2], Number(m[1]));
  const sourceX = (address: string): number[] =>
    all
      .filter(
        (t) =>
          t.name === 'circle' &&
          t.attrs.get('class')?.includes('source') &&
          t.attrs.get('aria-label')!.startsWith(`${address}:`),
      )
      .map((t) => Number(t.attrs.get('cx')));

  it('draws a hop ruler numbered 0, 1, 2, 3 from the capture point rightwards', () => {
    assert.deepEqual([...tickX.keys()], ['0', '1', '2', '3']);
    const xs = [...tickX.values()];
    const step = xs[1] - xs[0];
    assert.ok(step > 0);
    xs.forEach((x, i) => assert.equal(x, xs[0] + i * step));
    const capture = all.find((t) => t.name === 'circle' && t.attrs.get('class') === 'capture')!;
    assert.equal(Number(capture.attrs.get('cx')), tickX.get('0'));
    assert.ok(all.some((t) => t.name === 'line' && t.attrs.get('class') === 'ruler'));
    assert.match(textContent(svg), /capture point/);
  });

  it('places the client at 0 hops and the server at 3, each marker revealing its first line', () => {
    assert.deepEqual(sourceX('192.168.31.128'), [tickX.get('0')]);
    assert.deepEqual(sourceX('192.168.40.129'), [tickX.get('3')]);
    const server = all.find((t) => t.attrs.get('aria-label')?.startsWith('192.168.40.129:'))!;
    assert.equal(server.attrs.get('data-line'), '7');
    assert.equal(server.attrs.get('tabindex'), '0');
    assert.match(textContent(svg), /4 × TTL 61/);
    assert.match(textContent(svg), /7 × TTL 128/);
  });

  it('puts the device that forged the RSTs at 1 hop: one marker on the ruler, its lane with lines 2, 4, 6', () => {
    const resets = all.filter((t) => t.name === 'path' && t.attrs.get('class')?.includes('reset'));
    assert.equal(resets.length, 1);
    const [, x] = /^M ([\d.]+) /.exec(resets[0].attrs.get('d')!)!;
    assert.equal(Number(x), tickX.get('1'));
    assert.equal(resets[0].attrs.get('data-line'), '1');
    assert.match(
      resets[0].attrs.get('aria-label')!,
      /claiming to come from 192\.168\.40\.129 \(3 hops away, 2 behind the device\)/,
    );
    assert.match(textContent(svg), /device #1 \(medium\): 3 RSTs claiming 192\.168\.40\.129 — lines 2, 4, 6/);
    // Each line number is its own link to its (0-based) line.
    const links = all
      .filter((t) => t.name === 'tspan' && t.attrs.get('class') === 'line-link')
      .map((t) => t.attrs.get('data-line'));
    assert.deepEqual(links, ['1', '3', '5']);
    assert.match(textContent(svg), /TTL 63 \(initial 64\) = 1 hop; 2 hops before 192\.168\.40\.129 \(3 hops away\)/);
    // The device on the ruler sits at the same hop, labelled once, and reveals its first RST.
    const devices = all.filter((t) => t.name === 'rect' && t.attrs.get('class')?.startsWith('device'));
    assert.equal(devices.length, 1);
    assert.equal(Number(devices[0].attrs.get('x')) + Number(devices[0].attrs.get('width')) / 2, tickX.get('1'));
    assert.equal(devices[0].attrs.get('data-line'), '1');
    assert.match(textContent(svg), /device #1 · 3 RSTs/);
    assert.doesNotMatch(textContent(svg), /RST sender\?/);
  });

  it('draws RSTs of no device (information level) as before: "RST sender?" and a lane per group', () => {
    const out = renderHopMapSvg(mapOf('test/client/fixtures/two-distances.nv.txt'), ENGLISH_LABELS);
    assert.match(textContent(out), /RST sender\?/);
    assert.match(textContent(out), /RST claiming 127\.0\.0\.2 — line 18/);
    assert.ok(tags(out).some((t) => t.name === 'rect' && t.attrs.get('class') === 'device loose'));
  });

  it('draws one marker per distance for a source seen from two', () => {
    const twoSvg = renderHopMapSvg(mapOf('test/client/fixtures/two-distances.nv.txt'), ENGLISH_LABELS);
    const twoTags = tags(twoSvg);
    const ticks = new Map<string, number>();
    for (const m of twoSvg.matchAll(/<text class="muted" x="([\d.]+)" y="\d+" text-anchor="middle">(\d+)<\/text>/g))
      ticks.set(m[2], Number(m[1]));
    const xs = twoTags
      .filter((t) => t.name === 'circle' && t.attrs.get('aria-label')?.startsWith('127.0.0.2:'))
      .map((t) => [Number(t.attrs.get('cx')), t.attrs.get('data-line')]);
    assert.deepEqual(xs, [
      [ticks.get('2'), '9'],
      [ticks.get('3'), '1'],
    ]);
    assert.match(textContent(twoSvg), /1 × TTL 126/);
    assert.match(textContent(twoSvg), /2 × TTL 61/);
    assert.match(textContent(twoSvg), /RST claiming 127\.0\.0\.2 — line 18/);
  });

  it('renders hostile capture text as text: no markup, no attributes, no links', () => {
    const hostile = [
      '<img src=x onerror=alert(1)>',
      '[x](command:workbench.action.terminal.new)',
      '"><script>alert(2)</script>',
      "' onmouseover='alert(3)",
      '&lt;b&gt;',
    ];
    const map: HopMap = {
      ...seed,
      sources: seed.sources.map((s, i) => ({ ...s, address: hostile[i] })),
      suspiciousResets: seed.suspiciousResets.map((g) => ({ ...g, claimedSource: hostile[1] })),
    };
    map.sources.push({
      address: hostile[2],
      packets: 1,
      distances: [{ hops: 2, packets: 1, firstLine: 0, ttls: [62], initialTtls: [64] }],
    });
    map.sources.push({
      address: hostile[3],
      packets: 1,
      distances: [{ hops: 2, packets: 1, firstLine: 0, ttls: [62], initialTtls: [64] }],
    });
    map.sources.push({
      address: hostile[4],
      packets: 1,
      distances: [{ hops: 2, packets: 1, firstLine: 0, ttls: [62], initialTtls: [64] }],
    });
    for (const labels of [ENGLISH_LABELS, JAPANESE_LABELS]) {
      const out = renderHopMapSvg(map, labels);
      for (const t of tags(out)) {
        assert.ok(SVG_ELEMENTS.has(t.name), `unexpected element ${t.raw}`);
        for (const name of t.attrs.keys())
          assert.ok(!/^on/i.test(name) && name !== 'href' && name !== 'style', `unexpected attribute in ${t.raw}`);
      }
      const shown = textContent(out);
      for (const h of hostile) assert.ok(shown.includes(h), `${h} not shown literally`);
      assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;'));
      assert.ok(!out.includes('<script'));
    }
  });

  it('escapes every markup character, and shows control and bidi characters as visible escapes', () => {
    assert.equal(
      escapeMarkup(`<a href="x" title='y'>&\u0000\u001b\u202e`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;\\x00\\x1b\\u202e',
    );
  });

  it('speaks Japanese with the Japanese labels', () => {
    const ja = textContent(renderHopMapSvg(seed, JAPANESE_LABELS));
    assert.match(ja, /キャプチャ地点/);
    assert.match(ja, /装置 #1 \(確度 中\): 192\.168\.40\.129 を名乗る RST 3 個 — 行 2, 4, 6/);
    assert.match(ja, /装置 #1 · RST 3 個/);
  });

  it('says why there is no picture when no packet carries a TTL', () => {
    const noTtl = buildHopMap(
      analyze('14:03:07.001000 IP 192.168.31.128.49169 > 192.168.40.129.22: Flags [S], seq 1, win 8192, length 0'),
    );
    const out = renderHopMapSvg(noTtl, ENGLISH_LABELS);
    assert.ok(!out.includes('<svg'));
    assert.match(out, /tcpdump -v/);
  });

  it('keeps long paths and many sources readable: sparse ruler numbers, lanes capped with a note', () => {
    const sources = Array.from({ length: MAX_SOURCE_LANES + 15 }, (_, i) => ({
      address: `10.0.${i}.1`,
      packets: 1,
      distances: [{ hops: i * 3, packets: 1, firstLine: i, ttls: [255 - i * 3], initialTtls: [255] }],
    }));
    const map: HopMap = {
      sources,
      suspiciousResets: [],
      devices: [],
      maxHops: (sources.length - 1) * 3,
      packetCount: sources.length,
      packetsWithHops: sources.length,
    };
    const out = renderHopMapSvg(map, ENGLISH_LABELS);
    const numbers = [...out.matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    assert.ok(numbers.length >= 5 && numbers.length <= 40, `${numbers.length} ruler numbers`);
    assert.equal(
      tags(out).filter((t) => t.name === 'circle' && t.attrs.get('class')?.includes('source')).length,
      MAX_SOURCE_LANES,
    );
    assert.match(textContent(out), /Not drawn: 15 more sources, 0 more RST groups\./);
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(out)![1]);
    assert.ok(width < 1400, `width ${width}`);
  });
});

describe('hop map page', () => {
  const nonce = newNonce();
  const html = buildHopMapHtml({
    cspSource: 'vscode-webview://abc',
    nonce,
    title: 'Hop map — <img src=x onerror=alert(1)>.txt',
    markup: renderHopMapSvg(mapOf('test/fixtures/seed-firewall-rst.txt'), ENGLISH_LABELS),
  });

  it('has a strict Content-Security-Policy with a nonce on every style and script', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(csp, 'CSP meta tag');
    assert.equal(
      csp[1],
      `default-src &#39;none&#39;; style-src vscode-webview://abc &#39;nonce-${nonce}&#39;; script-src &#39;nonce-${nonce}&#39;`,
    );
    const page = tags(html);
    const scriptsAndStyles = page.filter((t) => t.name === 'script' || t.name === 'style');
    assert.equal(scriptsAndStyles.length, 2);
    for (const t of scriptsAndStyles) assert.equal(t.attrs.get('nonce'), nonce);
    for (const t of page) {
      for (const name of t.attrs.keys())
        assert.ok(!/^on/i.test(name) && name !== 'style', `inline handler or style in ${t.raw}`);
    }
  });

  it('loads nothing from anywhere: no http(s) URLs, no src attributes', () => {
    assert.ok(!/https?:/i.test(html));
    assert.ok(!tags(html).some((t) => t.attrs.has('src') || t.attrs.has('href')));
  });

  it('escapes the title and makes a fresh 128-bit nonce each time', () => {
    assert.ok(html.includes('<h1 id="title">Hop map — &lt;img src=x onerror=alert(1)&gt;.txt</h1>'));
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(newNonce(), nonce);
  });

  it('has a filter box (placeholder escaped) and a hidden "show more" button, with no inline handlers', () => {
    const page = buildHopMapHtml({
      cspSource: 'x',
      nonce,
      title: 't',
      markup: '',
      filterPlaceholder: '"><img src=x onerror=alert(1)>',
    });
    assert.ok(
      page.includes(
        '<input id="filter" type="search" spellcheck="false" autocomplete="off" placeholder="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"',
      ),
    );
    assert.match(page, /<button id="more" type="button" hidden><\/button>/);
    assert.match(page, /<span id="status" role="status"><\/span>/);
    // Status and button text reach the page through textContent only.
    assert.match(page, /status\.textContent = /);
    assert.match(page, /more\.textContent = /);
    assert.doesNotMatch(page, /status\.innerHTML|more\.innerHTML/);
  });

  it('takes a filter from the page only as a string, at most MAX_FILTER_LENGTH characters', () => {
    assert.equal(filterText({ type: 'filter', text: '10.1' }), '10.1');
    assert.equal(filterText({ type: 'filter', text: 'x'.repeat(1000) })?.length, MAX_FILTER_LENGTH);
    for (const bad of [null, 5, 'filter', { type: 'filter' }, { type: 'filter', text: 5 }, { type: 'more', text: 'x' }])
      assert.equal(filterText(bad), undefined);
    const message = hopMapShowMessage(
      '\u202et',
      '<svg/>',
      'Showing 50 of 161 sources',
      'Show 50 more',
      'x'.repeat(500),
    );
    assert.equal(message.title, '\\u202et');
    assert.equal(message.more, 'Show 50 more');
    assert.equal(message.filter.length, MAX_FILTER_LENGTH);
    assert.equal('more' in hopMapShowMessage('t', '', ''), false);
  });
});
