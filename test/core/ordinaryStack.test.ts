import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core/analyze';
import { renderCaptureFrames } from '../../server/src/core/capture';
import { describeFinding } from '../../server/src/core/describe';
import { isReset } from '../../server/src/core/packet';
import { FollowAnalysis } from '../../server/src/core/streamAnalysis';

/*
 * Issue 14: the RSTs an ordinary stack sends, captured from real kernels in network namespaces
 * (scripts/fixtures/ordinaryStack.sh, test/fixtures/ordinary/). expected.json says, per RST, who
 * sent it — known by construction, never from this analyzer: every one is genuine (sent by the
 * host whose address it carries) except those the firewall sends for port 8801.
 * A genuine RST must get no warning; a forged one must get one.
 * Before issue 14's rules (race signals alone are information, kernel-form RSTs, application
 * TTLs, no inherited burst signals) 36 of these genuine RSTs were warned about.
 */

const DIR = path.resolve(__dirname, '..', 'fixtures', 'ordinary');

interface ExpectedReset {
  line: number;
  packet: string;
  ttl: number;
  seq: number | null;
  truth: 'genuine' | 'forged';
  sender: string;
  mechanism: string;
}
interface ExpectedFile {
  pcap: string;
  scenario: string;
  vantage: 'client' | 'server';
  about: string;
  resets: ExpectedReset[];
}
const table = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  files: Record<string, ExpectedFile>;
};

const cache = new Map<string, Analysis>();
function analysisOf(file: string): Analysis {
  let a = cache.get(file);
  if (!a) cache.set(file, (a = analyze(readFileSync(path.join(DIR, file), 'utf8'))));
  return a;
}

/** What the analysis says about the RST starting on a 1-based line: undefined when it is right. */
function wrongAbout(file: string, r: ExpectedReset): string | undefined {
  const a = analysisOf(file);
  const p = a.packets.find((q) => q.startLine === r.line - 1 && isReset(q));
  if (!p) return `${file}:${r.line}: no RST parsed there`;
  const warning = a.findings.find((f) => f.packet === p.index && f.severity === 'warning');
  if (r.truth === 'genuine' && warning)
    return `${file}:${r.line}: genuine RST (${r.mechanism}) warned: ${warning.code}: ${describeFinding(warning, 'en')}`;
  if (r.truth === 'forged' && !warning) {
    const v = a.verdictByPacket.get(p.index);
    return `${file}:${r.line}: forged RST (${r.mechanism}) not warned: ${v?.status} ${v?.confidence ?? ''}`;
  }
  return undefined;
}

const files = Object.keys(table.files).sort();

describe('ordinary stacks (issue 14): real-kernel RSTs, genuine unless a firewall forged them', () => {
  it('covers the scenarios, with forged and genuine RSTs, and lists every RST the parser sees', () => {
    const scenarios = new Set(files.map((f) => table.files[f].scenario));
    assert.ok(scenarios.size >= 11, `only ${scenarios.size} scenarios`);
    const all = files.flatMap((f) => table.files[f].resets);
    assert.ok(all.some((r) => r.truth === 'forged'));
    assert.ok(all.some((r) => r.truth === 'genuine'));
    for (const file of files) {
      const listed = table.files[file].resets.map((r) => r.line);
      const parsed = analysisOf(file)
        .packets.filter(isReset)
        .map((p) => p.startLine + 1);
      assert.deepEqual(parsed, listed, `${file}: RSTs parsed vs expected.json`);
    }
  });

  it('live mode (--follow) never warns about a genuine RST on the way, and warns about every forged one', () => {
    for (const file of files) {
      const live = new FollowAnalysis();
      const events = [];
      for (const line of readFileSync(path.join(DIR, file), 'utf8').split(/(?<=\n)/)) events.push(...live.push(line));
      events.push(...live.end());
      for (const r of table.files[file].resets) {
        const warned = events.some(
          (e) => e.finding.startLine === r.line - 1 && e.finding.severity === 'warning' && !e.retracted,
        );
        assert.equal(warned, r.truth === 'forged', `${file}:${r.line} (${r.truth}: ${r.mechanism})`);
      }
    }
  });

  for (const file of files) {
    const e = table.files[file];
    describe(`${file} (${e.scenario}, captured at the ${e.vantage})`, () => {
      it(`${e.pcap}: the core's capture reader prints what tcpdump -nv printed`, () => {
        const rendered = renderCaptureFrames(readFileSync(path.join(DIR, e.pcap)));
        assert.deepEqual(rendered.warnings, []);
        const text = rendered.frames.map((f) => `${f.text}\n`).join('');
        assert.equal(text, readFileSync(path.join(DIR, file), 'utf8'));
      });

      for (const r of e.resets) {
        const key = `${file}:${r.line}`;
        const title = `${key} ${r.packet} ttl ${r.ttl}: ${r.truth} (${r.sender}: ${r.mechanism}) — ${
          r.truth === 'genuine' ? 'no warning' : 'a warning'
        }`;
        it(title, () => assert.equal(wrongAbout(file, r), undefined));
      }
    });
  }
});
