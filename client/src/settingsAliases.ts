import { RENAMED_SETTINGS } from '../../server/src/protocol';

/*
 * Renamed settings (tcpdumpLens.initialTtls → tcpdumpLens.initialTTL). The server reads the new
 * key first, then the old one, then the default (server/src/settings.ts). VS Code, though, answers
 * `workspace/configuration` with the default of every key the user did not set, so the new key would
 * always be there and a value set under the old name would never be read. Here a new key the user
 * did not set anywhere is left out of the answer. No vscode import: the tests run it as is.
 */

/** The part of VS Code's `WorkspaceConfiguration.inspect()` result that says where a value was set. */
export interface InspectedSetting {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** The user (or workspace) set it somewhere: it is not only its default. */
export function isSetByUser(inspected: InspectedSetting | undefined): boolean {
  if (!inspected) return false;
  return [
    inspected.globalValue,
    inspected.workspaceValue,
    inspected.workspaceFolderValue,
    inspected.globalLanguageValue,
    inspected.workspaceLanguageValue,
    inspected.workspaceFolderLanguageValue,
  ].some((v) => v !== undefined);
}

/**
 * The `tcpdumpLens` section as the server should get it: the same object, without the new key of a
 * renamed setting the user did not set (so the server falls back to the old key, if set).
 */
export function withoutUnsetRenamedKeys<T>(section: T, inspect: (key: string) => InspectedSetting | undefined): T {
  if (!section || typeof section !== 'object' || Array.isArray(section)) return section;
  let out = section as Record<string, unknown>;
  for (const key of Object.keys(RENAMED_SETTINGS)) {
    if (!(key in out) || isSetByUser(inspect(key))) continue;
    if (out === (section as Record<string, unknown>)) out = { ...out };
    delete out[key];
  }
  return out as T;
}
