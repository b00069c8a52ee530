import { RequestType, type Connection } from 'vscode-languageserver';
import type { Analysis } from './core/analyze';
import { buildHopMap } from './core/hopMap';
import { HOP_MAP_METHOD, type HopMapParams, type HopMapResult } from './protocol';

/** The hop-map request of protocol.ts, typed for vscode-languageserver. */
export const HOP_MAP_REQUEST = new RequestType<HopMapParams, HopMapResult, void>(HOP_MAP_METHOD);

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
