import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { buildHopMap, type HopMap } from '../../server/src/core/hopMap';
import { DEFAULT_OPTIONS } from '../../server/src/core/options';
import { MANY_SENDERS_FIREWALLS, manySendersCapture, serverHops } from '../../scripts/fixtures/manySenders';

const repoRoot = path.resolve(__dirname, '..', '..');
const mapOf = (relative: string): HopMap =>
  buildHopMap(analyze(fs.readFileSync(path.join(repoRoot, relative), 'utf8')));

describe('buildHopMap', () => {
  it('places the seed capture like the article: client at 0 hops, server at 3, forged RSTs at 1', () => {
    const map = mapOf('test/fixtures/seed-firewall-rst.txt');
    assert.equal(map.maxHops, 3);
    assert.equal(map.packetCount, 14);
    assert.equal(map.packetsWithHops, 14);
    assert.deepEqual(map.sources, [
      {
        address: '192.168.31.128',
        packets: 7,
        distances: [{ hops: 0, packets: 7, firstLine: 0, ttls: [128], initialTtls: [128] }],
      },
      {
        // Only its echo replies: the RSTs that carry its address are not evidence of where it is.
        address: '192.168.40.129',
        packets: 4,
        distances: [{ hops: 3, packets: 4, firstLine: 7, ttls: [61], initialTtls: [64] }],
      },
    ]);
    assert.deepEqual(map.suspiciousResets, [
      {
        claimedSource: '192.168.40.129',
        hops: 1,
        ttls: [63],
        initialTtl: 64,
        lines: [1, 3, 5], // lines 2, 4, 6 as an editor counts them
        claimedSourceHops: [3],
        nearestClaimedHops: 3,
        confidence: 'medium',
        device: 1,
      },
    ]);
    // One device for the three RSTs: the firewall the article finds, 2 hops before the server.
    assert.deepEqual(map.devices, [
      {
        id: 1,
        hops: 1,
        initialTtl: 64,
        confidence: 'medium',
        ttl: 63,
        lines: [1, 3, 5],
        claimedSources: [{ address: '192.168.40.129', hostHops: 3, hopsBefore: 2, resets: 3 }],
      },
    ]);
  });

  it('gives a source seen from two distances one entry per distance, and keeps consistent RSTs with their sender', () => {
    const map = mapOf('test/client/fixtures/two-distances.nv.txt');
    assert.equal(map.maxHops, 3);
    assert.deepEqual(
      map.sources.map((s) => [
        s.address,
        s.distances.map((d) => [d.hops, d.packets, d.firstLine, d.ttls, d.initialTtls]),
      ]),
      [
        // The kernel's RST to 127.0.0.3 arrived at TTL 64 like 127.0.0.1's echo replies: counted with them.
        ['127.0.0.1', [[0, 4, 3, [64], [64]]]],
        [
          '127.0.0.2',
          [
            [2, 1, 9, [126], [128]],
            [3, 2, 1, [61], [64]],
          ],
        ],
        ['127.0.0.3', [[2, 1, 13, [62], [64]]]],
      ],
    );
    assert.deepEqual(map.suspiciousResets, [
      {
        claimedSource: '127.0.0.2',
        hops: 1,
        ttls: [63],
        initialTtl: 64,
        lines: [17],
        claimedSourceHops: [2, 3],
        nearestClaimedHops: 2,
        confidence: 'low',
      }, // a spread (2–3 hop) baseline: moderate evidence alone
    ]);
  });

  it('groups forged RSTs by claimed sender and distance, and follows the configured initial TTLs', () => {
    const seed = fs.readFileSync(path.join(repoRoot, 'test/fixtures/seed-firewall-rst.txt'), 'utf8').split('\n');
    // A second RST source distance: the same claimed server, but a TTL of 62 (2 hops) on one RST.
    const text = [...seed.slice(0, 5), seed[5].replace('ttl  63', 'ttl  62'), ...seed.slice(6)].join('\n');
    const map = buildHopMap(analyze(text));
    assert.deepEqual(
      map.suspiciousResets.map((g) => [g.hops, g.lines]),
      [
        [1, [1, 3]],
        [2, [5]],
      ],
    );

    // With 255 as the only initial TTL every distance grows: the map follows the settings.
    const wide = buildHopMap(analyze(text, { ...DEFAULT_OPTIONS, initialTtls: [255] }));
    assert.equal(wide.maxHops, 194);
    assert.deepEqual(
      wide.sources.map((s) => [s.address, s.distances.map((d) => d.hops)]),
      [
        ['192.168.31.128', [127]],
        ['192.168.40.129', [194]],
      ],
    );
    assert.deepEqual(
      wide.suspiciousResets.map((g) => [g.hops, g.initialTtl]),
      [
        [192, 255],
        [193, 255],
      ],
    );
  });

  it('is empty, not broken, for text without packets or TTLs', () => {
    assert.deepEqual(buildHopMap(analyze('')), {
      sources: [],
      suspiciousResets: [],
      devices: [],
      maxHops: 0,
      packetCount: 0,
      packetsWithHops: 0,
    });
    const noTtl = buildHopMap(
      analyze('14:03:07.001000 IP 192.168.31.128.49169 > 192.168.40.129.22: Flags [S], seq 1, win 8192, length 0'),
    );
    assert.equal(noTtl.packetCount, 1);
    assert.equal(noTtl.packetsWithHops, 0);
    assert.deepEqual(noTtl.sources, []);
  });

  it('puts one device per forging firewall on the map, with every host it spoke for (40 senders)', () => {
    const capture = manySendersCapture({ servers: 40, clients: 120 });
    const map = buildHopMap(analyze(capture.text));
    assert.equal(map.sources.length, capture.sources.length);
    assert.deepEqual(
      map.devices.map((d) => [d.id, d.hops, d.initialTtl]),
      MANY_SENDERS_FIREWALLS.map((f, i) => [i + 1, f.hops, f.initialTtl]),
    );
    // Every forged RST belongs to a device, each once; every server is claimed by its firewall.
    const lines = map.devices.flatMap((d) => d.lines).sort((a, b) => a - b);
    assert.deepEqual(
      lines.map((l) => l + 1),
      capture.forgedRstLines,
    );
    capture.servers.forEach((server, i) => {
      const d = map.devices[i % MANY_SENDERS_FIREWALLS.length];
      const claimed = d.claimedSources.find((c) => c.address === server);
      assert.deepEqual(claimed, {
        address: server,
        hostHops: serverHops(i),
        hopsBefore: serverHops(i) - d.hops,
        resets: 2,
      });
    });
    // The groups still list every RST, each naming its device.
    assert.equal(map.suspiciousResets.length, 40);
    for (const g of map.suspiciousResets)
      assert.equal(
        map.devices[g.device! - 1].claimedSources.some((c) => c.address === g.claimedSource),
        true,
      );
  });

  it('leaves information-level RSTs out of every device', () => {
    const map = mapOf('test/client/fixtures/two-distances.nv.txt');
    assert.deepEqual(map.devices, []);
    assert.equal(map.suspiciousResets[0].device, undefined);
  });
});
