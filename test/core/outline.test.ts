import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { conversations, type ConversationSymbol } from '../../server/src/core/outline';

/*
 * Issue 15: the Outline's conversation symbols do not overlap, so the warning badge of a forged RST
 * sits on the conversation it reset (VS Code puts a diagnostic on the innermost symbol whose range
 * holds it), and each selection lies inside its range (VS Code rejects a symbol otherwise).
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const read = (...parts: string[]): string => readFileSync(path.join(FIXTURES, ...parts), 'utf8');

function assertDisjoint(symbols: ConversationSymbol[], what: string): void {
  const sorted = [...symbols].sort((x, y) => x.startLine - y.startLine);
  for (let i = 1; i < sorted.length; i++)
    assert.ok(
      sorted[i].startLine > sorted[i - 1].endLine,
      `${what}: ${sorted[i - 1].name} (lines ${sorted[i - 1].startLine + 1}–${sorted[i - 1].endLine + 1}) overlaps ${sorted[i].name} (lines ${sorted[i].startLine + 1}–${sorted[i].endLine + 1})`,
    );
  for (const s of symbols)
    assert.ok(
      s.selectionLine >= s.startLine && s.selectionLine <= s.endLine,
      `${what}: ${s.name}'s selection (line ${s.selectionLine + 1}) is outside its range`,
    );
}

/** The symbols whose range holds a line. */
const holding = (symbols: ConversationSymbol[], line: number): ConversationSymbol[] =>
  symbols.filter((s) => s.startLine <= line && line <= s.endLine);

describe('outline: conversation symbols (issue 15)', () => {
  it('the seed: two conversations, disjoint; each forged RST lies in the TCP conversation it reset', () => {
    const a = analyze(read('seed-firewall-rst.txt'));
    const symbols = conversations(a);
    assert.equal(symbols.length, 2);
    assertDisjoint(symbols, 'seed');
    const tcp = symbols.find((s) => s.name.startsWith('TCP'))!;
    assert.equal(tcp.ending, 'suspicious-reset');
    assert.deepEqual([tcp.startLine + 1, tcp.endLine + 1, tcp.selectionLine + 1], [1, 6, 6]);
    for (const line of [1, 3, 5]) assert.deepEqual(holding(symbols, line), [tcp]);
  });

  const lab = readdirSync(path.join(FIXTURES, 'lab')).filter((f) => f.endsWith('.txt'));
  const expected = JSON.parse(read('lab', 'expected.json')) as {
    files: Record<string, { forgedRstLines: number[]; ttlPrinted: boolean }>;
  };

  it('every lab capture: disjoint symbols; every conversation reset by a forged RST holds one in its range', () => {
    assert.ok(lab.length > 5);
    let interleaved = 0;
    for (const file of lab) {
      const a = analyze(read('lab', file));
      const symbols = conversations(a);
      assertDisjoint(symbols, file);
      // Before issue 15 a symbol spanned its conversation's first to last packet: count the captures where that overlapped.
      const hulls = new Map<string, [number, number]>();
      for (const p of a.packets) {
        const key = [`${p.src}.${p.srcPort}`, `${p.dst}.${p.dstPort}`].sort().join(' ') + (p.proto ?? '');
        hulls.set(key, [hulls.get(key)?.[0] ?? p.startLine, p.endLine]);
      }
      const h = [...hulls.values()].sort((x, y) => x[0] - y[0]);
      if (h.some((x, i) => i > 0 && x[0] <= h[i - 1][1])) interleaved++;
      const suspicious = symbols.filter((s) => s.ending === 'suspicious-reset');
      const e = expected.files[file];
      assert.equal(suspicious.length > 0, e !== undefined && e.ttlPrinted && e.forgedRstLines.length > 0, file);
      for (const s of suspicious) {
        const rst = a.packets[a.packetAtLine[s.selectionLine]];
        assert.equal(
          a.verdictByPacket.get(rst.index)?.status,
          'suspicious',
          `${file}: ${s.name} is anchored on its RST`,
        );
        // The RST's warning lands on this symbol and no other.
        assert.deepEqual(holding(symbols, rst.startLine), [s], `${file}: line ${rst.startLine + 1}`);
      }
    }
    assert.ok(interleaved > 0);
  });

  it('interleaved conversations, packet by packet: one run each, never each other', () => {
    const lines: string[] = [];
    for (let i = 0; i < 6; i++) {
      const port = 40000 + (i % 2);
      lines.push(
        `IP (tos 0x0, ttl 64, id ${i + 1}, offset 0, flags [DF], proto TCP (6), length 52)\n    10.0.0.1.${port} > 10.0.0.2.80: Flags [.], cksum 0x1 (correct), ack 1, win 502, length 0`,
      );
    }
    const a = analyze(lines.join('\n') + '\n');
    assert.equal(a.packets.length, 6);
    const symbols = conversations(a);
    assert.equal(symbols.length, 2);
    assertDisjoint(symbols, 'interleaved');
    // Each is anchored on its own last packet: lines 9–10 and 11–12.
    assert.deepEqual(
      symbols.map((s) => [s.startLine + 1, s.endLine + 1]),
      [
        [9, 10],
        [11, 12],
      ],
    );
  });
});
