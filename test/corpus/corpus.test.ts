import * as assert from 'node:assert/strict';
import { describeWithShared, sharedPath } from '../support/shared';
import { FIELDS, formatTable, runCorpus, type CorpusResult, type Disagreement } from './corpusAgreement';

/*
 * Proof 1: the parser against an independent oracle (tshark on the same capture files), over
 * every text file of ../shared/corpus. What counts and why: corpusAgreement.ts and README.md here.
 */

const CORPUS = sharedPath('corpus');
const REQUIRED_AGREEMENT = 99.9;

/**
 * Every disagreement the corpus still shows, each with the reason it is not a parser error. A
 * disagreement no entry explains fails the test, and so does an entry nothing matches any more.
 */
const EXPLAINED: { file: RegExp; field: Disagreement['field']; frames: number[]; reason: string }[] = [
  {
    file: /^out\/arista_ether(-e|-ev)?\.out$/,
    field: 'packet',
    frames: [2, 7, 10, 14],
    reason:
      'tshark stops at the Arista vendor header when a VLAN tag follows it (frame.protocols eth:ethertype:avsp); tcpdump, and so the text, decodes the IPv4 packet inside.',
  },
  {
    file: /^out\/cve2015-0261-(ipv6|crash)\.out$/,
    field: 'packet',
    frames: [1, 2],
    reason:
      'Malformed fuzz captures tshark cannot decode at all (frame.protocols "data"); tcpdump prints their IPv6 header.',
  },
  {
    file: /^out\/bigtcp-ipv6(-vxlan-ipv6)?\.out$/,
    field: 'srcPort',
    frames: [1],
    reason:
      'BIG TCP (IPv6 payload length 0): tshark names the transport but leaves its ports and flags empty; tcpdump prints them.',
  },
  { file: /^out\/bigtcp-ipv6(-vxlan-ipv6)?\.out$/, field: 'dstPort', frames: [1], reason: 'as above (BIG TCP)' },
  { file: /^out\/bigtcp-ipv6\.out$/, field: 'flags', frames: [1], reason: 'as above (BIG TCP)' },
  {
    file: /^out\/ipv6_39_byte_header\.out$/,
    field: 'packet',
    frames: [1],
    reason: 'tcpdump prints `[|ip6]` where the addresses would be: the text holds no packet to parse.',
  },
  {
    file: /^legacy-3\.9\.8\/out\/eapon1\.out$/,
    field: 'dst',
    frames: [44, 46],
    reason:
      'tcpdump 3.9 ran without -n and printed 224.0.0.22 as the host name "IGMP": the text holds a name, the oracle the address.',
  },
];

function explanationFor(d: Disagreement): number {
  return EXPLAINED.findIndex((e) => e.field === d.field && e.file.test(d.file) && e.frames.includes(d.frame));
}

describeWithShared('corpus: parser vs tshark oracle (../shared/corpus)', ['corpus', 'manifest.csv'], function () {
  // The corpus is ~7 MB of text; on a loaded CI machine parsing and comparing takes seconds.
  this.timeout(60000);
  let result: CorpusResult;

  before(() => {
    result = runCorpus(CORPUS);
    const lines = [...formatTable(result).split('\n'), '', 'disagreements:'];
    for (const d of result.disagreements) {
      const i = explanationFor(d);
      lines.push(
        `  ${d.file}:${d.line} frame ${d.frame} ${d.field}: parsed ${d.parsed}, oracle ${d.oracle} — ${i < 0 ? 'UNEXPLAINED' : EXPLAINED[i].reason}`,
      );
    }
    console.log(lines.map((l) => `      ${l}`).join('\n'));
  });

  it('reads every text file without an exception', () => {
    assert.ok(result.files >= 390, `only ${result.files} corpus text files found`);
    assert.deepEqual(result.errors, []);
  });

  it("locates every parsed packet's frame in the oracle", () => {
    assert.equal(result.unaligned, 0);
  });

  for (const field of FIELDS) {
    it(`agrees with the oracle on ${field} for at least ${REQUIRED_AGREEMENT} % of packets`, () => {
      const t = result.tally[field];
      assert.ok(t.compared > 1000, `${field}: only ${t.compared} comparisons`);
      const pct = (100 * t.agreed) / t.compared;
      assert.ok(pct >= REQUIRED_AGREEMENT, `${field}: ${t.agreed}/${t.compared} = ${pct.toFixed(3)} %`);
    });
  }

  it(`finds at least ${REQUIRED_AGREEMENT} % of the IP packets tcpdump printed`, () => {
    assert.ok(result.framesPrinted > 3000);
    assert.ok((100 * result.framesParsed) / result.framesPrinted >= REQUIRED_AGREEMENT, '-# files');
    assert.ok(result.orderedFrames > 3000);
    assert.ok((100 * result.orderedFramesParsed) / result.orderedFrames >= REQUIRED_AGREEMENT, 'frame-order files');
  });

  it('has no disagreement that is not explained, and no stale explanation', () => {
    const unexplained = result.disagreements.filter((d) => explanationFor(d) < 0);
    assert.deepEqual(unexplained, []);
    const used = new Set(result.disagreements.map(explanationFor));
    const stale = EXPLAINED.filter((_, i) => !used.has(i)).map((e) => `${e.file} ${e.field}`);
    assert.deepEqual(stale, []);
  });
});
