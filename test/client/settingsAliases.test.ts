import * as assert from 'node:assert/strict';
import { isSetByUser, withoutUnsetRenamedKeys, type InspectedSetting } from '../../client/src/settingsAliases';
import { settingsFrom } from '../../server/src/settings';

/*
 * The client's half of the tcpdumpLens.initialTtls → initialTTL rename: VS Code fills in defaults,
 * so an unset new key is left out of what the server gets. Fed to the server's settingsFrom, the
 * result must pick the value the user wrote, under whichever name.
 */

const DEFAULT = [32, 64, 128, 255];

/** What VS Code's getConfiguration('tcpdumpLens') returns, and what inspect() says, for a user's settings.json. */
function vscodeView(user: Record<string, unknown>): {
  section: Record<string, unknown>;
  inspect: (key: string) => InspectedSetting;
} {
  const section = { enable: true, initialTTL: DEFAULT, initialTtls: DEFAULT, ...user };
  return { section, inspect: (key) => ({ globalValue: user[key] }) };
}

function initialTtlsSeen(user: Record<string, unknown>): readonly number[] {
  const { section, inspect } = vscodeView(user);
  return settingsFrom(withoutUnsetRenamedKeys(section, inspect), 'en').options.initialTtls;
}

describe('renamed settings in the VS Code client (client/src/settingsAliases.ts)', () => {
  it('a value under the deprecated name reaches the server when the new name is not set', () => {
    assert.deepEqual(initialTtlsSeen({ initialTtls: [64, 255] }), [64, 255]);
  });

  it('the new name wins when both are set, even when it is set to the default', () => {
    assert.deepEqual(initialTtlsSeen({ initialTTL: [60, 255], initialTtls: [64, 255] }), [60, 255]);
    assert.deepEqual(initialTtlsSeen({ initialTTL: DEFAULT, initialTtls: [64, 255] }), DEFAULT);
  });

  it('neither set: the default', () => {
    assert.deepEqual(initialTtlsSeen({}), DEFAULT);
  });

  it('a value set in a workspace folder or for a language counts as set; the section is not modified in place', () => {
    assert.equal(isSetByUser({ workspaceFolderValue: [64] }), true);
    assert.equal(isSetByUser({ workspaceLanguageValue: [64] }), true);
    assert.equal(isSetByUser({}), false);
    assert.equal(isSetByUser(undefined), false);
    const section = { initialTTL: DEFAULT, initialTtls: [64] };
    const out = withoutUnsetRenamedKeys(section, () => ({}));
    assert.deepEqual(out, { initialTtls: [64] });
    assert.deepEqual(section, { initialTTL: DEFAULT, initialTtls: [64] });
  });

  it('anything but an object passes through untouched', () => {
    for (const v of [null, undefined, 3, 'x', [1, 2]])
      assert.deepEqual(
        withoutUnsetRenamedKeys(v, () => ({})),
        v,
      );
  });
});
