import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core/analyze';
import type { Packet } from '../../server/src/core/packet';
import { describeFinding } from '../../server/src/core/describe';

/*
 * One real capture, printed by the real tcpdump in every dialect (scripts/fixtures/dialects.sh):
 * whatever the options, the parser must read the same packets and the analysis reach the same
 * verdicts as on the plain `-nv` text. Hex dumps must add no packet, names must group like
 * addresses, `-S` changes only sequence numbers.
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const DIALECTS = path.join(FIXTURES, 'dialects');
const read = (file: string): string => fs.readFileSync(file, 'utf8');

/** The hosts file dialects.sh mounts for the `names` renderings. */
const NAMES: Record<string, string> = {
  'client.lab.example': '10.201.1.2',
  'server.lab.example': '10.201.4.2',
  'client6.lab.example': 'fd00:201:1::2',
  'server6.lab.example': 'fd00:201:4::2',
};
// Without -n tcpdump also names ports from /etc/services: the lab's 7100 is `font-service`.
const SERVICES: Record<string, string> = { ssh: '22', 'font-service': '7100' };

/** What must not depend on the dialect. Sequence numbers do (`-S`), so they are compared apart. */
function fields(p: Packet): string {
  const addr = (a: string): string => NAMES[a] ?? a;
  const port = (x: string | undefined): string | undefined => (x === undefined ? undefined : (SERVICES[x] ?? x));
  return JSON.stringify([
    addr(p.src),
    port(p.srcPort),
    addr(p.dst),
    port(p.dstPort),
    p.family,
    p.proto,
    p.ttl,
    p.ipId,
    p.flags,
    p.win,
    p.icmpType,
  ]);
}

function warned(a: Analysis): number[] {
  return a.findings.filter((f) => f.severity === 'warning' && f.packet !== undefined).map((f) => f.packet);
}

const RENDERINGS = [
  't',
  'tt',
  'ttt',
  'ttttt',
  'nano',
  'number',
  'vvv',
  'S',
  'x',
  'xx',
  'X',
  'XX',
  'A',
  'e-number-tttt',
  'names',
];

for (const family of ['ipv4', 'ipv6'] as const) {
  describe(`dialects: the lab's ${family} capture (scripts/fixtures/dialects.sh)`, () => {
    const reference = analyze(read(path.join(FIXTURES, 'lab', `ttl64-${family}.nv.txt`)));
    const forged = reference.packets.filter((p) => p.flags?.includes('R') && p.srcPort === '7200').map((p) => p.index);
    const genuine = reference.packets.filter((p) => p.flags?.includes('R') && p.srcPort === '7300').map((p) => p.index);

    it("the -nv reference: the firewall's RSTs (port 7200) are warned, the server's own (7300) are not", () => {
      assert.ok(forged.length >= 2 && genuine.length >= 2, `forged ${forged.length}, genuine ${genuine.length}`);
      assert.deepEqual(warned(reference), forged);
    });

    for (const name of RENDERINGS) {
      const file = path.join(DIALECTS, `${family}.${name}.txt`);
      it(`${path.basename(file)}: same packets, same verdicts`, () => {
        const text = read(file);
        const a = analyze(text);
        assert.deepEqual(a.packets.map(fields), reference.packets.map(fields));
        assert.deepEqual(warned(a), forged);
        // Every warning sits on the RST's own lines.
        for (const f of a.findings.filter((g) => g.severity === 'warning')) {
          const p = a.packets[f.packet];
          assert.ok(f.startLine >= p.startLine && f.endLine <= p.endLine);
        }
        if (name === 'S') {
          // Absolute sequence numbers: the RSTs' own seq/ack are printed as is in both.
          const seqs = (x: Analysis): unknown[] =>
            x.packets.filter((p) => p.flags?.startsWith('R')).map((p) => [p.seq, p.ack]);
          assert.deepEqual(seqs(a), seqs(reference));
        }
        if (name === 'number' || name === 'e-number-tttt') {
          assert.deepEqual(
            a.packets.map((p) => p.frameNumber !== undefined),
            a.packets.map(() => true),
            'every packet keeps its -# number',
          );
        }
        if (name === 'nano') assert.match(a.packets[0].timestamp ?? '', /\.\d{9}$/);
        if (name === 'names')
          assert.ok(
            a.packets.some((p) => p.src.endsWith('.lab.example')),
            'names were printed and read',
          );
      });
    }

    it('CRLF line ends (a capture saved on Windows): the same findings', () => {
      const text = read(path.join(DIALECTS, `${family}.x.txt`));
      const lf = analyze(text);
      const crlf = analyze(text.replace(/\n/g, '\r\n'));
      assert.deepEqual(
        crlf.findings.map((f) => [f.code, f.startLine, describeFinding(f, 'en')]),
        lf.findings.map((f) => [f.code, f.startLine, describeFinding(f, 'en')]),
      );
    });
  });
}

describe('dialects: -i any (Linux cooked SLL2, live capture in network namespaces)', () => {
  for (const name of ['any.nv.txt', 'any.nve.txt']) {
    it(`${name}: the router's RSTs (port 9, 0 hops) are warned, the server's (port 10, 1 hop) are not, in IPv4 and IPv6`, () => {
      const a = analyze(read(path.join(DIALECTS, name)));
      const rsts = a.packets.filter((p) => p.flags?.includes('R'));
      const forged = rsts.filter((p) => p.srcPort === '9');
      const genuine = rsts.filter((p) => p.srcPort === '10');
      assert.deepEqual([...new Set(forged.map((p) => p.family))].sort(), [4, 6]);
      assert.ok(genuine.length >= 2);
      assert.deepEqual(
        warned(a),
        forged.map((p) => p.index),
      );
      assert.ok(
        a.packets.some((p) => p.proto === 'ICMP6' && p.ttl !== undefined),
        'ICMPv6 through the cooked header',
      );
    });
  }
});

describe('dialects: host and service names (no -n)', () => {
  it('seed capture with `ssh` for port 22: the same three warnings as with -n', () => {
    const named = analyze(read(path.join(DIALECTS, 'seed.names.txt')));
    const numeric = analyze(read(path.join(FIXTURES, 'seed-4x', 'seed-firewall-rst.nv.txt')));
    assert.ok(named.packets.some((p) => p.srcPort === 'ssh'));
    assert.deepEqual(warned(named), warned(numeric));
    assert.equal(warned(named).length, 3);
  });
});
