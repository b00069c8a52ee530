import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  labelledResets,
  measure,
  precision,
  precisionMarkdown,
  type LabelledReset,
} from '../../scripts/precision/measure';
import type { EvidenceKind } from '../../server/src/core/evidence';
import { describeWithShared, hasShared } from '../support/shared';

/*
 * Issue 14, rule 8: confidence means something. The levels and evidence strengths are held to
 * their measured precision on every RST whose truth is known from outside the analyzer (the wild
 * captures' expert triage, the lab's forging firewall, real kernels in namespaces), and README.md
 * carries the measured table.
 */

/** Race and sequence signals: rule 1 keeps them from warning alone, whatever their strength. */
const RACE = new Set<EvidenceKind>([
  'rst-seq-data',
  'data-seq-rst',
  'rst-seq-change',
  'rst-ack-change',
  'burst-ttl-change',
  'reset-both-ends',
  'rst-burst',
]);
/** Below this many labelled firings a row says too little to hold a level to. */
const ENOUGH = 5;
const FLOOR = 0.9;

function checkLevels(resets: readonly LabelledReset[]): void {
  const falseWarnings = resets.filter(
    (r) => r.truth === 'genuine' && r.verdict.status === 'suspicious' && r.verdict.confidence !== 'low',
  );
  assert.deepEqual(
    falseWarnings.map((r) => `${r.where}: ${r.verdict.confidence} ${r.verdict.evidence.map((e) => e.kind).join(',')}`),
    [],
    'a labelled genuine RST got a warning',
  );
  const { kinds, levels } = measure(resets);
  for (const row of levels.slice(0, 2)) {
    const p = precision(row);
    if (row.forged + row.genuine >= ENOUGH) assert.ok(p! >= FLOOR, `${row.what}: precision ${p}`);
  }
  for (const row of kinds.values()) {
    // What can make a warning on its own: identity evidence of weight (rule 1).
    if (row.strength === 'weak' || RACE.has(row.kind) || row.forged + row.genuine < ENOUGH) continue;
    assert.ok(
      precision(row)! >= FLOOR,
      `${row.what} can warn alone but is right in ${row.forged} of ${row.forged + row.genuine} labelled RSTs: lower its strength`,
    );
  }
}

describe('measured precision (issue 14, rule 8)', () => {
  const resets = labelledResets();

  it('the labelled RSTs of this repository (lab, real kernels): no genuine one warned; levels hold their precision', () => {
    const own = resets.filter((r) => r.set !== 'wild');
    assert.ok(
      own.filter((r) => r.truth === 'forged').length >= 10 && own.filter((r) => r.truth === 'genuine').length >= 50,
    );
    checkLevels(own);
  });

  describeWithShared('with the wild captures', ['wild', 'triage.csv'], () => {
    it('all labelled RSTs: no genuine one warned; every level and warning-capable strength ≥ 90 % precise', () => {
      assert.ok(resets.some((r) => r.set === 'wild'));
      checkLevels(resets);
    });

    it('README.md carries the table as measured now (regenerate: npx tsx scripts/precision/measure.ts)', () => {
      const readme = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
      const m = /<!-- precision:start[^>]*-->\n([\s\S]*?)\n<!-- precision:end -->/.exec(readme);
      assert.ok(m, 'README.md has no precision table between its markers');
      assert.equal(m[1], precisionMarkdown(resets));
    });
  });

  it('the measurement reads labels from outside the analyzer (a mislabelled RST would count against it)', () => {
    // Flipping the truth of the forged RSTs must break the floor: the check can fail.
    const flipped = resets
      .filter((r) => r.set !== 'wild' || hasShared('wild'))
      .map((r) => ({ ...r, truth: r.truth === 'forged' ? ('genuine' as const) : ('forged' as const) }));
    assert.throws(() => checkLevels(flipped));
  });
});
