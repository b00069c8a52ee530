import type { AnalyzeCaptureFileParams, AnalyzeCaptureFileResult } from './captureFile';
import type { CaptureStatus, DeviceTreeNode, LinePlace } from './core/editorViews';
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

/**
 * `tcpdumpLens/report`: the suspected devices of an open document, from its current analysis, in
 * the client's display language: the report (Markdown), the facts of the status-bar item and the
 * devices tree.
 */
export const REPORT_METHOD = 'tcpdumpLens/report';

export interface ReportParams {
  uri: string;
  /** Only this device's part of the report (SuspectedDevice.id); every device when absent. */
  device?: number;
}

export interface ReportResult {
  /** The document's name as the report shows it. */
  file: string;
  markdown: string;
  status: CaptureStatus;
  tree: DeviceTreeNode[];
}

/** Null when the server has no analysis (unknown document, analysis disabled). */
export type ReportResponse = ReportResult | null;

export type { CaptureStatus, DeviceTreeNode, LinePlace };

/** Every custom request method; the server registers a handler for each. */
export const CUSTOM_REQUEST_METHODS: readonly string[] = [HOP_MAP_METHOD, ANALYZE_CAPTURE_FILE_METHOD, REPORT_METHOD];

/*
 * Client commands the server's code actions run (textDocument/codeAction); the client registers
 * each (test/client/protocol.test.ts). Arguments are plain JSON.
 */
/** `[uri?: string, device?: number]`: the report (of one device) to the clipboard, offering to open it. */
export const COPY_REPORT_COMMAND = 'tcpdumpLens.copyReport';
/** `[uri?: string, device?: number]`: the report as an untitled Markdown document. */
export const OPEN_REPORT_COMMAND = 'tcpdumpLens.openReport';
/** No arguments: the hop map of the active tcpdump editor. */
export const SHOW_HOP_MAP_COMMAND = 'tcpdumpLens.showHopMap';
/** `[uri: string, at: LinePlace, packets: LinePlace[]]`: a peek of those places from `at`. */
export const SHOW_PACKETS_COMMAND = 'tcpdumpLens.showPackets';
/** `[text: string]`: text to the clipboard. */
export const COPY_TEXT_COMMAND = 'tcpdumpLens.copyText';

export const CODE_ACTION_COMMANDS: readonly string[] = [
  COPY_REPORT_COMMAND,
  OPEN_REPORT_COMMAND,
  SHOW_HOP_MAP_COMMAND,
  SHOW_PACKETS_COMMAND,
  COPY_TEXT_COMMAND,
];

/**
 * Renamed settings: new key → the deprecated key it replaces (both under `tcpdumpLens.`). The new
 * key is read first, then the old one, then the default (server/src/settings.ts). VS Code fills in
 * the default of every key a user did not set, so the client leaves an unset new key out
 * (client/src/settingsAliases.ts); other clients send only what the user wrote.
 */
export const RENAMED_SETTINGS = { initialTTL: 'initialTtls' } as const;
