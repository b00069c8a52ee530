import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core/analyze';
import { renderCaptureFrames } from '../../server/src/core/capture';
import { describeFinding } from '../../server/src/core/describe';
import { isReset } from '../../server/src/core/packet';

/*
 * Issue 14: the RSTs an ordinary stack sends, captured from real kernels in network namespaces
 * (scripts/fixtures/ordinaryStack.sh, test/fixtures/ordinary/). expected.json says, per RST, who
 * sent it — known by construction, never from this analyzer: every one is genuine (sent by the
 * host whose address it carries) except those the firewall sends for port 8801.
 * A genuine RST must get no warning; a forged one must get one.
 *
 * PENDING lists the RSTs today's rules judge wrongly (issue 14's rules are rewritten next): they
 * are skipped with the rule that will cover them, and a guard fails once one of them is judged
 * right, so its entry is deleted and it becomes a real test.
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

const RULE2 =
  'issue 14 rule 2: stale-ACK reset while connecting (the retried SYN reuses the four-tuple) read as rst-seq-data';
const RULE4 = 'issue 14 rule 4: both ends aborting at the same time read as reset-both-ends';
const RULE5 = "issue 14 rule 5: a new connection's data on the just-reset four-tuple read as rst-seq-data";
const RULE7_KERNEL = (ttl: number): string =>
  `issue 14 rule 7: the kernel's RST at the default TTL 64 beside the application's IP_TTL ${ttl} read as initial-ttl-mismatch`;
const RULE7_ADJACENT =
  "issue 14 rule 7: the kernel's RST at TTL 64 beside the application's IP_TTL 1 (adjacent peer) read as hop-mismatch + initial-ttl-mismatch";
const RULE7_BURST = (ttl: number): string =>
  `issue 14 rule 7: the application's RST (IP_TTL ${ttl}) followed by the kernel's (64) read as burst-ttl-change`;

/** `file:line` (the RST's first line, 1-based) → why today's analysis gets it wrong. */
const PENDING: Record<string, string> = {
  'stale-ack-connect.nv.txt:21': RULE2,
  'stale-ack-connect.server.nv.txt:21': RULE2,
  'both-ends-abort.nv.txt:21': RULE4,
  'both-ends-abort.nv.txt:23': RULE4,
  'both-ends-abort.nv.txt:43': RULE4,
  'both-ends-abort.nv.txt:45': RULE4,
  'both-ends-abort.server.nv.txt:21': RULE4,
  'both-ends-abort.server.nv.txt:23': RULE4,
  'both-ends-abort.server.nv.txt:43': RULE4,
  'both-ends-abort.server.nv.txt:45': RULE4,
  'reused-4-tuple.nv.txt:19': RULE5,
  'reused-4-tuple.server.nv.txt:19': RULE5,
  'app-ttl-1.nv.txt:25': RULE7_ADJACENT,
  'app-ttl-1.server.nv.txt:25': RULE7_ADJACENT,
  'app-ttl-128.nv.txt:25': RULE7_KERNEL(128),
  'app-ttl-128.nv.txt:57': RULE7_BURST(128),
  'app-ttl-128.nv.txt:59': RULE7_KERNEL(128),
  'app-ttl-128.nv.txt:61': RULE7_KERNEL(128),
  'app-ttl-128.nv.txt:63': RULE7_KERNEL(128),
  'app-ttl-128.nv.txt:65': RULE7_KERNEL(128),
  'app-ttl-128.server.nv.txt:25': RULE7_KERNEL(128),
  'app-ttl-128.server.nv.txt:53': RULE7_KERNEL(128),
  'app-ttl-128.server.nv.txt:57': RULE7_KERNEL(128),
  'app-ttl-128.server.nv.txt:61': RULE7_KERNEL(128),
  'app-ttl-128.server.nv.txt:65': RULE7_KERNEL(128),
  'app-ttl-255.nv.txt:25': RULE7_KERNEL(255),
  'app-ttl-255.nv.txt:57': RULE7_BURST(255),
  'app-ttl-255.nv.txt:59': RULE7_KERNEL(255),
  'app-ttl-255.nv.txt:61': RULE7_KERNEL(255),
  'app-ttl-255.nv.txt:63': RULE7_KERNEL(255),
  'app-ttl-255.nv.txt:65': RULE7_KERNEL(255),
  'app-ttl-255.server.nv.txt:25': RULE7_KERNEL(255),
  'app-ttl-255.server.nv.txt:53': RULE7_KERNEL(255),
  'app-ttl-255.server.nv.txt:57': RULE7_KERNEL(255),
  'app-ttl-255.server.nv.txt:61': RULE7_KERNEL(255),
  'app-ttl-255.server.nv.txt:65': RULE7_KERNEL(255),
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

  it('names only RSTs of expected.json in PENDING', () => {
    const known = new Set(files.flatMap((f) => table.files[f].resets.map((r) => `${f}:${r.line}`)));
    assert.deepEqual(
      Object.keys(PENDING).filter((k) => !known.has(k)),
      [],
    );
  });

  it('every PENDING RST is still judged wrongly (delete its entry once its rule lands)', () => {
    const fixed = Object.keys(PENDING).filter((key) => {
      const [file, line] = key.split(':');
      const r = table.files[file]?.resets.find((x) => x.line === Number(line));
      return r !== undefined && wrongAbout(file, r) === undefined;
    });
    assert.deepEqual(fixed, [], `judged right now, no longer pending: ${fixed.join(', ')}`);
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
        const pending = PENDING[key];
        if (pending) it.skip(`${title} [pending: ${pending}]`);
        else it(title, () => assert.equal(wrongAbout(file, r), undefined));
      }
    });
  }
});
