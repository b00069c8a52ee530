import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseCapture } from '../../server/src/core/parse';
import { describeWithShared, sharedPath } from '../support/shared';

/*
 * Printed forms with a known answer, read from the tcpdump project's own test outputs
 * (../shared/corpus/out, BSD licence, see its README): headers that quote or carry another
 * packet's header, truncation markers, and the lines tcpdump prints around packets.
 */

const corpusText = (relative: string): string => fs.readFileSync(sharedPath('corpus', relative), 'utf8');

describeWithShared('corpus cases with known answers (../shared/corpus/out)', ['corpus', 'out'], () => {
  it("ICMP port unreachable quoting a UDP header (mpls-traceroute-v.out): the quoted ttl 1 never becomes the ICMP packet's TTL", () => {
    const text = corpusText('out/mpls-traceroute-v.out');
    const lines = text.split('\n');
    const { packets } = parseCapture(text);
    const icmpErrors = packets.filter((p) => p.proto === 'ICMP' && p.icmpType?.includes('unreachable'));
    assert.ok(icmpErrors.length >= 3, `${icmpErrors.length} ICMP errors`);
    for (const p of icmpErrors) {
      assert.equal(p.src, '12.1.1.1');
      assert.equal(p.ttl, 253, `line ${p.startLine + 1}: the ICMP packet's own TTL`);
    }
    // The quoted header lines (tab-indented `IP (`, then the quoted addresses) start no packet.
    const quoted = lines.map((l, i) => (l.startsWith('\tIP (') ? i : -1)).filter((i) => i >= 0);
    assert.ok(quoted.length >= 3);
    for (const i of quoted)
      assert.ok(!packets.some((p) => p.startLine === i || p.startLine === i + 1), `line ${i + 1} is a quoted header`);
  });

  it("GRE/ERSPAN carrying whole packets (erspan-type-i-4.out): each outer packet keeps its own head line's TTL, never an inner one", () => {
    const text = corpusText('out/erspan-type-i-4.out');
    const lines = text.split('\n');
    const { packets } = parseCapture(text);
    const gre = packets.filter((p) => p.proto === 'GRE');
    assert.ok(gre.length >= 4);
    for (const p of gre) {
      const printed = Number(/\bttl (\d+)/.exec(lines[p.startLine])![1]);
      assert.equal(p.ttl, printed, `line ${p.startLine + 1}`);
    }
    // The inner OSPF hellos travel with ttl 1: no outer source may be given that.
    assert.ok(!gre.some((p) => p.ttl === 1));
  });

  it('a truncated TCP header `[|tcp]` (tcp_header_heapoverflow.out): addresses read, no flags invented, the next packets still read', () => {
    const text = corpusText('out/tcp_header_heapoverflow.out');
    const { packets } = parseCapture(text);
    const truncated = packets.filter((p) =>
      text
        .split('\n')
        .slice(p.startLine, p.endLine + 1)
        .join('\n')
        .includes('[|tcp]'),
    );
    assert.ok(truncated.length >= 1);
    for (const p of truncated) {
      assert.equal(p.flags, undefined);
      assert.equal(p.src, '48.48.48.48');
    }
    const last = truncated[truncated.length - 1];
    assert.ok(
      packets.some((p) => p.startLine > last.endLine) || last.endLine >= text.split('\n').length - 2,
      'packets after the truncated one are read',
    );
  });

  it('`reading from file …` headers and ARP lines (Debian tcpdump 4.99 regenerations): no packet; the first IP line is the first packet', () => {
    const text = corpusText('regen/bgp-4byte-asn.nv.txt');
    assert.match(text.split('\n')[0], /^reading from file /);
    const lines = text.split('\n');
    const { packets } = parseCapture(text);
    assert.ok(packets.length > 0);
    assert.ok(!packets.some((p) => p.startLine === 0));
    assert.equal(
      packets[0].startLine,
      lines.findIndex((l) => /^\d\d:\d\d:\d\d\.\d+ IP /.test(l)),
    );
  });
});
