import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';

/*
 * Issue 14: heads the parser had no fixture for must not cost a packet its addresses and TTL.
 * One conversation (scripts/fixtures/linkHeads.mjs) in PPPoE, QinQ, raw IP, LINKTYPE_IPV4,
 * BSD loopback (NULL, LOOP), PPP, Cisco HDLC and Linux cooked (SLL, SLL2) framing, and with
 * timestamps tcpdump prints as "[Error converting time]", each printed by the real tcpdump with
 * -nv, -nve, -n, -ne and -nve -t. expected.json holds what was put in each frame.
 */

const DIR = path.resolve(__dirname, '..', 'fixtures', 'heads');
const table = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  files: Record<
    string,
    { pcap: string; options: string; packets: { src: string; dst: string; ttl?: number }[]; forgedPacket: number }
  >;
};

describe('packet heads with link layers and time annotations (real tcpdump, test/fixtures/heads)', () => {
  for (const [file, e] of Object.entries(table.files)) {
    it(`${file} (${e.pcap}, tcpdump ${e.options}): every packet with its addresses${e.packets[0].ttl ? ', TTL and the forged RST' : ''}`, () => {
      const a = analyze(readFileSync(path.join(DIR, file), 'utf8'));
      assert.deepEqual(
        a.packets.map((p) => ({ src: p.src, dst: p.dst, ...(p.ttl === undefined ? {} : { ttl: p.ttl }) })),
        e.packets,
      );
      if (e.packets[0].ttl !== undefined) {
        const warned = a.findings.filter((f) => f.severity === 'warning').map((f) => f.packet);
        assert.deepEqual(warned, [e.forgedPacket], 'the RST from 2 hops is the one warning');
      }
    });
  }
});
