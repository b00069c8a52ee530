import { RequestType, type Connection } from 'vscode-languageserver';
import type { Analysis } from './core/analyze';
import { HOP_MAP_METHOD, buildHopMap, type HopMap } from './core/hopMap';

export interface HopMapParams {
  /** The document's URI, as the client knows it. */
  uri: string;
}

/** `tcpdumpLens/hopMap`: the hop map of an open document, or null when the server has none (unknown document, analysis disabled). */
export const HOP_MAP_REQUEST = new RequestType<HopMapParams, HopMap | null, void>(HOP_MAP_METHOD);

/**
 * Answers hop-map requests from the analysis the server already keeps, so the picture always
 * agrees with the diagnostics.
 */
export function registerHopMapRequest(
  connection: Connection,
  analysisFor: (uri: string) => Promise<Analysis | undefined>,
): void {
  connection.onRequest(HOP_MAP_REQUEST, async (params) => {
    // The params come over the wire: do not trust their shape.
    if (typeof params?.uri !== 'string') return null;
    const analysis = await analysisFor(params.uri);
    return analysis ? buildHopMap(analysis) : null;
  });
}
