import * as assert from 'node:assert/strict';
import { hopsFromTtl, inferInitialTtl } from '../../server/src/core/ttl';
import { localeFromTag, sanitizeInitialTtls } from '../../server/src/core/options';

describe('inferInitialTtl', () => {
  const cases: [number, number | undefined][] = [
    [1, 1],
    [2, 32],
    [32, 32],
    [33, 64],
    [61, 64],
    [63, 64],
    [64, 64],
    [65, 128],
    [113, 128],
    [128, 128],
    [129, 255],
    [255, 255],
  ];
  for (const [observed, initial] of cases) {
    it(`TTL ${observed} → initial ${initial}`, () => assert.equal(inferInitialTtl(observed), initial));
  }
  it('uses a custom candidate set and reports unknown above it', () => {
    assert.equal(inferInitialTtl(100, [64, 128]), 128);
    assert.equal(inferInitialTtl(200, [64, 128]), undefined);
    assert.equal(hopsFromTtl(200, [64, 128]), undefined);
    assert.equal(hopsFromTtl(61), 3);
  });
  it("TTL 1 is an application's choice (eBGP, OSPF, IGMP): the sender is adjacent, whatever the candidates", () => {
    assert.equal(hopsFromTtl(1), 0);
    assert.equal(hopsFromTtl(1, [64, 128]), 0);
  });
});

describe('settings sanitising', () => {
  it('keeps integers 1..255, unique and sorted; falls back to defaults when none are left', () => {
    assert.deepEqual(sanitizeInitialTtls([255, 64, 64, 0, 300, 2.5, '64', 128]), [64, 128, 255]);
    assert.deepEqual(sanitizeInitialTtls([]), [32, 64, 128, 255]);
    assert.deepEqual(sanitizeInitialTtls('64'), [32, 64, 128, 255]);
  });
  it('picks Japanese for ja tags only', () => {
    assert.equal(localeFromTag('ja'), 'ja');
    assert.equal(localeFromTag('ja-JP'), 'ja');
    assert.equal(localeFromTag('en-US'), 'en');
    assert.equal(localeFromTag(undefined), 'en');
  });
});
