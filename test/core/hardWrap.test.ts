import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core/analyze';

/*
 * tcpdump text pasted through something that hard-wraps long lines: an editor's rewrap (breaks at
 * a space and drops it) or a terminal (cuts at the column, drops nothing). The packets and the
 * verdicts must survive, with every range still on its own line.
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

function editorWrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((l) => {
      const out: string[] = [];
      let rest = l;
      while (rest.length > width) {
        let cut = rest.lastIndexOf(' ', width);
        if (cut <= 0) cut = width;
        out.push(rest.slice(0, cut));
        rest = rest.slice(rest[cut] === ' ' ? cut + 1 : cut);
      }
      out.push(rest);
      return out;
    })
    .join('\n');
}

function terminalWrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((l) => {
      const out: string[] = [];
      for (let i = 0; i < l.length || i === 0; i += width) out.push(l.slice(i, i + width));
      return out;
    })
    .join('\n');
}

const warned = (a: Analysis): string[] =>
  a.findings
    .filter((f) => f.severity === 'warning')
    .map((f) => {
      const p = a.packets[f.packet];
      // 3.9 prints the ACK bit only as a later `ack N`, which a wrap may cut off: RST is what counts.
      return `${p.src}.${p.srcPort} ttl ${p.ttl} ${p.flags?.includes('R') ? 'RST' : p.flags}`;
    });

const CASES = [
  {
    name: 'seed (tcpdump 3.9 one-line -v)',
    file: 'seed-firewall-rst.txt',
    widths: [50, 60, 70, 80, 90, 100, 120, 140],
  },
  { name: 'lab IPv4 (tcpdump 4.99 -nv)', file: 'lab/ttl64-ipv4.nv.txt', widths: [60, 70, 80, 90, 100, 120] },
  { name: 'lab IPv6 (tcpdump 4.99 -nv)', file: 'lab/ttl64-ipv6.nv.txt', widths: [70, 80, 90, 100, 120] },
];

describe("hard-wrapped captures (an editor's rewrap, a terminal's cut)", () => {
  for (const c of CASES) {
    const text = fs.readFileSync(path.join(FIXTURES, c.file), 'utf8');
    const whole = analyze(text);
    for (const [style, wrap] of [
      ['editor', editorWrap],
      ['terminal', terminalWrap],
    ] as const) {
      it(`${c.name}, ${style} wrap at ${c.widths.join('/')} columns: the same packets warned`, () => {
        assert.ok(warned(whole).length >= 2);
        for (const width of c.widths) {
          const wrapped = wrap(text, width);
          const a = analyze(wrapped);
          assert.deepEqual(warned(a), warned(whole), `${style} wrap at ${width}`);
          const lines = wrapped.split('\n');
          for (const p of a.packets) {
            for (const r of [p.ttlRange, p.flagsRange]) {
              if (!r) continue;
              assert.ok(r.line >= p.startLine && r.line <= p.endLine, `${style} ${width}: range off its packet`);
              assert.ok(r.end <= lines[r.line].length, `${style} ${width}: range past its line`);
            }
            if (p.ttlRange) assert.equal(lines[p.ttlRange.line].slice(p.ttlRange.start, p.ttlRange.end), String(p.ttl));
          }
        }
      });
    }
  }

  it('a 4.x header line, then a transport summary wrapped after its addresses: the TTL stays on the header line', () => {
    const text = [
      '13:55:24.759579 IP (tos 0x0, ttl 64, id 49881, offset 0, flags [DF], proto TCP (6), length 52)',
      '    10.201.1.2.36544 > 10.201.4.2.7100: ',
      'Flags [R], seq 1, win 0, length 0',
    ].join('\n');
    const [p] = analyze(text).packets;
    assert.equal(p.ttl, 64);
    assert.deepEqual(p.ttlRange, { line: 0, start: 33, end: 35 });
    assert.equal(p.flags, 'R');
    assert.equal(p.flagsRange?.line, 2);
  });
});
