import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core/analyze';
import { renderReport } from '../../server/src/core/report';

/*
 * Issue 15: the report to hand on, golden. The seed capture's report, in English and Japanese, must
 * hold the device's distance, the claimed host, the three RSTs of its connection and the message
 * to the firewall's owner. Regenerate after a deliberate change: UPDATE_GOLDEN=1 npx mocha test/core/report.test.ts
 */

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

function report(file: string, locale: 'en' | 'ja'): string {
  const a = analyze(readFileSync(path.join(FIXTURES, file), 'utf8'));
  const placed = a.devices.reduce((n, d) => n + d.resets.length, 0);
  const warnings = a.findings.filter((f) => f.severity === 'warning').length;
  return renderReport({ file, packets: a.packets.length, devices: a.devices, warnings: warnings - placed }, locale);
}

describe('the report to hand on (issue 15)', () => {
  for (const locale of ['en', 'ja'] as const) {
    it(`seed-firewall-rst.txt in ${locale === 'en' ? 'English' : 'Japanese'}: equals test/fixtures/reports/seed-firewall-rst.${locale}.md`, () => {
      const golden = path.join(FIXTURES, 'reports', `seed-firewall-rst.${locale}.md`);
      const text = report('seed-firewall-rst.txt', locale);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
      assert.equal(text, readFileSync(golden, 'utf8'));
    });
  }

  it('holds what the engineer tells the customer: where, which host, which connections, what to check', () => {
    const en = report('seed-firewall-rst.txt', 'en');
    assert.match(en, /## Device #1: 1 hop from the capture point, 2 hops before `192\.168\.40\.129`/);
    assert.equal((en.match(/`192\.168\.31\.128:49169 → 192\.168\.40\.129:22`/g) ?? []).length, 3);
    assert.match(en, /Is there a firewall or load balancer 2 hops before `192\.168\.40\.129`/);
    const ja = report('seed-firewall-rst.txt', 'ja');
    assert.match(ja, /`192\.168\.40\.129` の 2 ホップ手前/);
    assert.match(ja, /ポリシーを確認していただけますか/);
  });

  it('a capture without forging says so, and how much it read', () => {
    assert.match(report('seed-4x/seed-genuine-rst.nv.txt', 'en'), /packets read\. No device was found forging RSTs\./);
    assert.match(report('seed-4x/seed-genuine-rst.nv.txt', 'ja'), /RST を偽造している機器は見つかりませんでした/);
  });

  it('capture text stays inside code spans (a backtick in a name cannot end one)', () => {
    const a = analyze(readFileSync(path.join(FIXTURES, 'seed-firewall-rst.txt'), 'utf8'));
    const d = { ...a.devices[0], claimedSources: [{ address: 'evil`](http://x) host' }] };
    const text = renderReport({ file: 'a`b', packets: 1, devices: [d], warnings: 0 }, 'en');
    assert.match(text, /`` evil`\]\(http:\/\/x\) host ``/);
    assert.match(text, /`` a`b ``/);
  });
});
