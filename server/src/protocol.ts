import type { AnalyzeCaptureFileParams, AnalyzeCaptureFileResult } from './captureFile';
import type { HopMap } from './core/hopMap';

/*
 * The contract between the VS Code client and the language server: every custom request's method,
 * params and result, and the renamed settings. Types and constants only, with type-only imports,
 * so that the client bundle can import it without pulling in the server (test/client/protocol.test.ts
 * holds the client and the server to it).
 */

/** `tcpdumpLens/hopMap`: the hop map of an open document. */
export const HOP_MAP_METHOD = 'tcpdumpLens/hopMap';

export interface HopMapParams {
  /** The document's URI, as the client knows it. */
  uri: string;
}

/** Null when the server has no map (unknown document, analysis disabled). */
export type HopMapResult = HopMap | null;

/**
 * `tcpdumpLens/analyzeCaptureFile`: the server streams a file from disk (VS Code does not hand
 * files over 50 MB to extensions) and publishes its findings for the file's URI.
 */
export const ANALYZE_CAPTURE_FILE_METHOD = 'tcpdumpLens/analyzeCaptureFile';

export type { AnalyzeCaptureFileParams, AnalyzeCaptureFileResult };

/** Every custom request method; the server registers a handler for each. */
export const CUSTOM_REQUEST_METHODS: readonly string[] = [HOP_MAP_METHOD, ANALYZE_CAPTURE_FILE_METHOD];

/**
 * Renamed settings: new key → the deprecated key it replaces (both under `tcpdumpLens.`). The new
 * key is read first, then the old one, then the default (server/src/settings.ts). VS Code fills in
 * the default of every key a user did not set, so the client leaves an unset new key out
 * (client/src/settingsAliases.ts); other clients send only what the user wrote.
 */
export const RENAMED_SETTINGS = { initialTTL: 'initialTtls' } as const;
