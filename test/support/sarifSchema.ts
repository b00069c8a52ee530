import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from './lspClient';

/** The official SARIF 2.1.0 schema, as the copy @microsoft/jest-sarif ships. */
const SCHEMA_PATH = path.join(
  REPO_ROOT,
  'node_modules',
  '@microsoft',
  'jest-sarif',
  'lib',
  'schemas',
  'sarif-2.1.0-rtm.5.json',
);

/**
 * A validator for the SARIF 2.1.0 schema with ajv 8. The schema is draft-04, which ajv 8 does not
 * ship; here it differs from draft-07 only in naming its identifier `id`. Draft-04 boolean exclusive
 * bounds would change meaning, so their presence stops the test instead of being translated silently.
 */
export function sarifSchemaValidator(): ValidateFunction {
  const raw = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  assert.equal(raw.$schema, 'http://json-schema.org/draft-04/schema#');
  assert.ok(!/"exclusive(Minimum|Maximum)"\s*:\s*(true|false)/.test(JSON.stringify(raw)));
  const { $schema: _draft, id, ...rest } = raw;
  // strict off for the schema's draft-04 habits; unicodeRegExp off for its `]?` language pattern.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: id as string, ...rest });
}
