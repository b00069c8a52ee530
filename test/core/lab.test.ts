import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core/analyze';
import { isReset } from '../../server/src/core/packet';
import { describeFinding } from '../../server/src/core/describe';

/*
 * Proof 2: captures from a real namespace lab (scripts/lab/run.sh) whose answers are known from
 * what the lab did — fw REJECTs one port with a forged RST, the server's kernel resets a closed
 * one. test/fixtures/lab/expected.json lists, per rendered text, the 1-based first lines of both
 * kinds of RST; it was derived from ports and addresses, never from this analyzer.
 */

const LAB = path.resolve(__dirname, '..', 'fixtures', 'lab');

interface ExpectedFile {
  pcap: string;
  tcpdumpFlags: string;
  family: 4 | 6;
  server: string;
  serverInitialTtl: number;
  firewallInitialTtl: number;
  ttlPrinted: boolean;
  lineCount: number;
  forgedRstLines: number[];
  genuineRstLines: number[];
}
interface ExpectedTable {
  lab: { 'hops-to-server': string; 'hops-to-fw': string };
  files: Record<string, ExpectedFile>;
}

const tablePath = path.join(LAB, 'expected.json');
if (!existsSync(tablePath))
  throw new Error(`${tablePath} is missing: run \`npm run lab\` as root to produce the lab fixtures`);
const table = JSON.parse(readFileSync(tablePath, 'utf8')) as ExpectedTable;
const hopsToServer = Number(table.lab['hops-to-server']);
const hopsToFw = Number(table.lab['hops-to-fw']);

const cache = new Map<string, Analysis>();
function analysisOf(file: string): Analysis {
  let a = cache.get(file);
  if (!a) {
    a = analyze(readFileSync(path.join(LAB, file), 'utf8'));
    cache.set(file, a);
  }
  return a;
}

/** 1-based line → a finding's description, for failure messages that name file and line. */
function warnedLines(a: Analysis): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of a.findings)
    if (f.severity === 'warning') out.set(f.startLine + 1, `${f.code}: ${describeFinding(f, 'en')}`);
  return out;
}

/** The parsed RST packet starting on a 1-based line, if the parser saw one there. */
function resetAt(a: Analysis, line: number) {
  return a.packets.find((p) => p.startLine === line - 1 && isReset(p));
}

describe('lab captures (scripts/lab/run.sh): forged vs genuine RSTs', () => {
  const files = Object.keys(table.files).sort();

  it('covers both scenarios, both families and every dialect, each with forged and genuine RSTs', () => {
    assert.ok(files.length >= 20, `only ${files.length} files in expected.json`);
    for (const file of files) {
      const e = table.files[file];
      assert.ok(existsSync(path.join(LAB, file)), `${file}: listed in expected.json but missing`);
      assert.ok(e.forgedRstLines.length > 0, `${file}: no forged RST in the table`);
      assert.ok(e.genuineRstLines.length > 0, `${file}: no genuine RST in the table`);
      assert.equal(
        analysisOf(file).lines.filter((l, i, all) => i < all.length - 1 || l !== '').length,
        e.lineCount,
        `${file}: line count differs from the table`,
      );
    }
  });

  for (const file of files) {
    const e = table.files[file];
    const label = `${file} (tcpdump ${e.tcpdumpFlags}, IPv${e.family}, server TTL ${e.serverInitialTtl}, fw TTL ${e.firewallInitialTtl})`;

    describe(label, () => {
      it('the parser sees an RST on every expected line', () => {
        const a = analysisOf(file);
        const missing = [...e.forgedRstLines, ...e.genuineRstLines].filter((l) => !resetAt(a, l));
        assert.deepEqual(missing, [], `${file}: no RST packet parsed starting on line(s) ${missing.join(', ')}`);
      });

      if (e.ttlPrinted) {
        it('warns (ttl-mismatch) on exactly the forged RSTs', () => {
          const warned = warnedLines(analysisOf(file));
          const problems: string[] = [];
          for (const l of e.forgedRstLines) if (!warned.has(l)) problems.push(`${file}:${l}: forged RST not warned`);
          for (const [l, what] of warned)
            if (!e.forgedRstLines.includes(l)) problems.push(`${file}:${l}: unexpected warning (${what})`);
          assert.deepEqual(problems, [], problems.join('\n'));
        });

        it('says the forged RSTs came from fw, 1 hop away, not the server 3 hops away', () => {
          const a = analysisOf(file);
          const problems: string[] = [];
          for (const f of a.findings) {
            if (f.severity !== 'warning') continue;
            const l = f.startLine + 1;
            if (f.code !== 'ttl-mismatch') problems.push(`${file}:${l}: code ${f.code}`);
            if (f.hops !== hopsToFw || f.baselineHops !== hopsToServer) {
              problems.push(
                `${file}:${l}: hops ${f.hops} vs baseline ${f.baselineHops}, expected ${hopsToFw} vs ${hopsToServer}`,
              );
            }
          }
          assert.deepEqual(problems, [], problems.join('\n'));
        });

        it('does not warn on any genuine RST and judges it consistent with the server', () => {
          const a = analysisOf(file);
          const warned = warnedLines(a);
          const problems: string[] = [];
          for (const l of e.genuineRstLines) {
            if (warned.has(l)) problems.push(`${file}:${l}: genuine RST warned (${warned.get(l)})`);
            const p = resetAt(a, l);
            const status = p ? a.verdictByPacket.get(p.index)?.status : 'not parsed';
            if (status !== 'consistent') problems.push(`${file}:${l}: genuine RST judged ${status}`);
          }
          assert.deepEqual(problems, [], problems.join('\n'));
        });
      } else {
        it('gives the single no-ttl notice and no warnings', () => {
          const a = analysisOf(file);
          const warned = [...warnedLines(a)].map(([l, what]) => `${file}:${l}: unexpected warning (${what})`);
          assert.deepEqual(warned, [], warned.join('\n'));
          const notices = a.findings.filter((f) => f.code === 'no-ttl');
          assert.equal(notices.length, 1, `${file}: ${notices.length} no-ttl notices`);
          assert.equal(
            notices[0].severity,
            'information',
            `${file}:${notices[0].startLine + 1}: no-ttl is ${notices[0].severity}`,
          );
        });
      }
    });
  }
});
