import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/*
 * ../shared beside the clone holds the tcpdump project's corpus, the seed capture and the wild
 * captures: data this repository does not ship. A clone without it still runs every other test;
 * the tests that need it are skipped, each with one line that says what it needs. CI has it and
 * must run everything, so there (CI=true, or TCPDUMP_LENS_REQUIRE_SHARED=1) a missing path fails.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');

const mustHaveShared = (): boolean => process.env.CI === 'true' || process.env.TCPDUMP_LENS_REQUIRE_SHARED === '1';

/** A path under ../shared (whether or not it exists). */
export const sharedPath = (...parts: string[]): string => path.join(SHARED, ...parts);

/** Whether ../shared/<parts> is there (no parts: nothing is needed, so yes). */
export const hasShared = (...parts: string[]): boolean => parts.length === 0 || existsSync(sharedPath(...parts));

function need(parts: string[]): string {
  return `needs ../shared/${parts.join('/')} beside the clone (not found at ${sharedPath(...parts)})`;
}

/** A stand-in for a suite or test that cannot run here: pending with one line, or failing in CI. */
function missing(title: string, parts: string[]): void {
  if (mustHaveShared()) {
    it(`${title}: ${need(parts)}`, () => assert.fail(`${need(parts)}; CI runs every test and none may skip`));
  } else {
    it(`${title}: skipped, ${need(parts)}`);
  }
}

/** describe() for a suite that needs ../shared/<parts>; its body is not even loaded without it. */
export function describeWithShared(title: string, parts: string[], body: (this: Mocha.Suite) => void): void {
  if (hasShared(...parts)) describe(title, body);
  else describe(title, () => missing('this suite', parts));
}

/** For tests that add ../shared/<parts> to their material when it is there: one line when it is not. */
export function noteWithoutShared(title: string, parts: string[]): void {
  if (!hasShared(...parts)) missing(title, parts);
}

/** it() for one test that needs ../shared/<parts>. */
export function itWithShared(title: string, parts: string[], fn: (this: Mocha.Context) => unknown): void {
  if (hasShared(...parts)) it(title, fn as Mocha.Func);
  else missing(title, parts);
}
