import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeFinding } from '../../server/src/core/describe';
import { analyze } from '../../server/src/core/analyze';
import { isReset } from '../../server/src/core/packet';

/*
 * One capture per verdict signal, positive and negative (test/fixtures/signals/, built by
 * scripts/fixtures/signals.mjs and printed by the real tcpdump). expected.json says, for each RST
 * in order, the verdict the scenario was built to produce.
 */
const DIR = path.resolve(__dirname, '..', 'fixtures', 'signals');
interface Expected {
  status: string;
  confidence: string | null;
  evidence: string[];
}
const table = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  fixtures: Record<string, { about: string; resets: Expected[] }>;
};

describe('verdict signals (one real-tcpdump fixture per signal)', () => {
  for (const [file, { about, resets }] of Object.entries(table.fixtures)) {
    it(`${file}: ${about}`, () => {
      const a = analyze(readFileSync(path.join(DIR, file), 'utf8'));
      const rsts = a.packets.filter(isReset);
      assert.equal(rsts.length, resets.length, 'RSTs parsed');
      rsts.forEach((p, i) => {
        const v = a.verdictByPacket.get(p.index)!;
        const where = `${file}:${p.startLine + 1}`;
        assert.equal(v.status, resets[i].status, `${where} status`);
        assert.equal(v.confidence ?? null, resets[i].confidence, `${where} confidence`);
        assert.deepEqual(v.evidence.map((e) => e.kind).sort(), [...resets[i].evidence].sort(), `${where} evidence`);
        const finding = a.findings.find((f) => f.packet === p.index);
        const expectedSeverity =
          resets[i].confidence === null ? undefined : resets[i].confidence === 'low' ? 'information' : 'warning';
        assert.equal(finding?.severity, expectedSeverity, `${where} severity`);
        if (finding) {
          // the message leads with the strongest evidence
          assert.equal(v.evidence[0].strength === 'weak' ? 'rst-header' : finding.code, finding.code);
        }
      });
    });
  }

  it('leads the message with the strongest evidence and lists every piece in the hover', () => {
    const a = analyze(readFileSync(path.join(DIR, 'weak-header-signals.nv.txt'), 'utf8'));
    const f = a.findings.find((x) => x.code === 'rst-header')!;
    assert.match(
      describeFinding(f, 'en'),
      /^Possibly forged RST: .* \(low\) — 10\.0\.0\.2:40000 → 203\.0\.113\.10:443$/,
    );
    // The words in a terminal or a Problems row never send the reader to a hover.
    assert.doesNotMatch(describeFinding(f, 'en'), /hover/);
    // The same analysis, worded in Japanese at the edge: nothing is analysed again.
    const mac = analyze(readFileSync(path.join(DIR, 'mac-forged.nve.txt'), 'utf8'));
    assert.match(
      describeFinding(
        mac.findings.find((x) => x.code === 'mac-mismatch')!,
        'ja',
      ),
      /^偽造された RST: MAC 02:00:00:00:00:99 から送信 \(203\.0\.113\.10 は 02:00:00:00:00:01\) \(デバイス #1、確信度 高\) — 10\.0\.0\.2:40000 → 203\.0\.113\.10:443$/,
    );
  });

  it('minimumConfidence hides lower verdicts from the findings (not from the verdicts)', () => {
    const text = readFileSync(path.join(DIR, 'weak-header-signals.nv.txt'), 'utf8');
    const a = analyze(text, { initialTtls: [32, 64, 128, 255], minimumConfidence: 'medium' });
    assert.equal(a.findings.filter((f) => f.code === 'rst-header').length, 0);
    assert.equal(a.verdicts[0].confidence, 'low');
  });
});

describe("spread baselines: p0f's rule is configurable (tcpdumpLens.spreadBaseline.*)", () => {
  const text = readFileSync(path.join(DIR, 'spread-small-step-genuine.nv.txt'), 'utf8');
  const rstVerdict = (a: ReturnType<typeof analyze>) => a.verdicts.find((v) => isReset(a.packets[v.packet]))!;
  const base = { initialTtls: [32, 64, 128, 255], minimumConfidence: 'low' as const };

  it('defaults (2 hops, beyond 5): an RST 1 hop beyond an ECMP spread at 6–7 hops is weak, no finding', () => {
    const a = analyze(text, base);
    assert.equal(rstVerdict(a).evidence[0].strength, 'weak');
    assert.equal(a.findings.filter((f) => f.severity === 'warning').length, 0);
  });

  it('weakStepHops 0: the same step is moderate evidence and the RST is suspicious', () => {
    const a = analyze(text, { ...base, spreadRule: { weakStepHops: 0, farSourceHops: 5 } });
    assert.equal(rstVerdict(a).evidence[0].strength, 'moderate');
    assert.equal(rstVerdict(a).status, 'suspicious');
  });

  it('farSourceHops 10: a source 6 hops away is not "far", so the step is not weakened', () => {
    const a = analyze(text, { ...base, spreadRule: { weakStepHops: 2, farSourceHops: 10 } });
    assert.equal(rstVerdict(a).evidence[0].strength, 'moderate');
  });
});
