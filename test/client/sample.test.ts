import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_CAPTURE } from '../../client/src/sample';
import { REPO_ROOT } from '../support/lspClient';

describe('the walkthrough sample (client/src/sample.ts)', () => {
  it('is the seed capture, byte for byte', () => {
    assert.equal(
      SAMPLE_CAPTURE,
      readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'seed-firewall-rst.txt'), 'utf8'),
    );
  });
});
