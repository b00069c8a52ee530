import type { Analysis, Finding, FindingCode } from './core/analyze';
import { describeFinding, describeRelated } from './core/describe';

/*
 * SARIF 2.1.0 output: the findings of one or more analysed captures as a static-analysis log, so
 * CI systems and code-scanning tools can show them. Pure: analyses in, a plain JSON-able object out.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'tcpdump-lens';
export const TOOL_INFORMATION_URI = 'https://github.com/tcpdump-lens/tcpdump-lens';

/** One rule per finding code; the record type makes a new code fail to compile until it has one. */
const RULES: Record<FindingCode, { name: string; shortDescription: string; fullDescription: string }> = {
  'ttl-mismatch': {
    name: 'ForgedResetTtl',
    shortDescription: 'TCP RST arrived from a different hop distance or initial TTL than its claimed sender',
    fullDescription:
      'The TTL (IPv6 hop limit) an RST arrives with gives the distance of whoever sent it. When it differs from every other packet of the same source address, a device in between (firewall, load balancer) likely forged the RST.',
  },
  'mac-mismatch': {
    name: 'ForgedResetMac',
    shortDescription: "TCP RST carries a source MAC its claimed sender's other packets do not",
    fullDescription: 'Another device on the capture segment sent an RST in the name of this source address.',
  },
  'rst-sequence': {
    name: 'ForgedResetSequence',
    shortDescription: 'TCP RST sequence numbers or timing show an injector (Weaver et al. signals)',
    fullDescription:
      'Data from the claimed sender after its own RST, sequence numbers behind data already sent, bursts of RSTs with changing sequence or acknowledgement numbers, or both ends reset at once.',
  },
  'rst-header': {
    name: 'ForgedResetHeader',
    shortDescription: "TCP RST header fields differ from its claimed sender's (window, TOS, DF, IP ID, payload)",
    fullDescription:
      "Header fields that end hosts set consistently differ between the RST and its claimed sender's other TCP packets.",
  },
  'no-ttl': {
    name: 'NoTtlPrinted',
    shortDescription: 'The capture text carries no TTL: RSTs cannot be checked (capture with tcpdump -v)',
    fullDescription: 'tcpdump prints the IP TTL / hop limit only with -v; without it no hop distance can be measured.',
  },
  'checksum-offload': {
    name: 'ChecksumOffload',
    shortDescription: "Bad checksums on the capturing host's own packets: checksum offloading, not an error",
    fullDescription:
      'Packets sent by the capturing host are captured before the network card fills in their checksums, so tcpdump calls them incorrect.',
  },
  'binary-capture': {
    name: 'BinaryCapture',
    shortDescription: 'The file is a binary capture, not tcpdump text',
    fullDescription:
      'Open the .pcap/.pcapng itself (decoded to text by the extension) or render it with tcpdump -nv -r FILE.',
  },
};

const RULE_IDS = Object.keys(RULES) as FindingCode[];

/** The part of SARIF 2.1.0 this module writes (the full type lives in @types/sarif, a dev dependency). */
export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
export interface SarifLocation {
  id?: number;
  /** In a binary capture there is no region: the artifact alone, and the frame as a logical location. */
  physicalLocation: { artifactLocation: { uri: string; index: number }; region?: SarifRegion };
  logicalLocations?: { name: string; fullyQualifiedName: string; kind: string }[];
  message?: { text: string };
}
export interface SarifResult {
  ruleId: FindingCode;
  ruleIndex: number;
  level: 'warning' | 'note';
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  properties?: Record<string, string | number>;
}
/** Why the run failed for one input (unreadable, damaged, no packets): SARIF's tool execution notification. */
export interface SarifNotification {
  level: 'error';
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string } } }[];
}
/** A problem with one input: its artifact URI (see `artifactUriFromPath`) when it has one, and what went wrong. */
export interface SarifInputProblem {
  uri?: string;
  message: string;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion?: string;
        informationUri: string;
        rules: {
          id: FindingCode;
          name: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          defaultConfiguration: { level: 'warning' | 'note' };
        }[];
      };
    };
    artifacts: { location: { uri: string } }[];
    /** Present when the caller reports how the run went: false with one notification per failed input. */
    invocations?: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
    /** Finding offsets are JavaScript string offsets: UTF-16 code units. */
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
  }[];
}

/** A finding's 0-based, end-exclusive character span as SARIF's 1-based region (endColumn is exclusive too). */
function region(startLine: number, startCharacter: number, endLine: number, endCharacter: number): SarifRegion {
  return {
    startLine: startLine + 1,
    startColumn: startCharacter + 1,
    endLine: endLine + 1,
    endColumn: endCharacter + 1,
  };
}

/**
 * Where a span is: a region of a text artifact, or, in a binary capture (its lines are those of the
 * text decoded from it, not of the file), the frame that holds it.
 */
function location(
  uri: string,
  artifactIndex: number,
  span: [number, number, number, number],
  frameOfLine?: (line: number) => number | undefined,
): SarifLocation {
  const frame = frameOfLine?.(span[0]);
  if (frameOfLine && frame !== undefined) {
    const name = `frame ${frame}`;
    return {
      physicalLocation: { artifactLocation: { uri, index: artifactIndex } },
      logicalLocations: [{ name, fullyQualifiedName: name, kind: 'frame' }],
    };
  }
  return { physicalLocation: { artifactLocation: { uri, index: artifactIndex }, region: region(...span) } };
}

function result(
  f: Finding,
  uri: string,
  artifactIndex: number,
  frameOfLine?: (line: number) => number | undefined,
): SarifResult {
  const out: SarifResult = {
    ruleId: f.code,
    ruleIndex: RULE_IDS.indexOf(f.code),
    level: f.severity === 'warning' ? 'warning' : 'note',
    message: { text: describeFinding(f, 'en') },
    locations: [location(uri, artifactIndex, [f.startLine, f.startCharacter, f.endLine, f.endCharacter], frameOfLine)],
  };
  if (f.related.length > 0) {
    out.relatedLocations = f.related.map((r, i) => ({
      id: i + 1,
      ...location(uri, artifactIndex, [r.line, r.startCharacter, r.line, r.endCharacter], frameOfLine),
      message: { text: describeRelated(r, 'en') },
    }));
  }
  const properties: Record<string, string | number> = {};
  if (f.packet >= 0) properties.packet = f.packet;
  for (const key of ['confidence', 'ttl', 'initialTtl', 'hops', 'baselineHops'] as const) {
    const v = f[key];
    if (v !== undefined) properties[key] = v;
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  return out;
}

/**
 * One SARIF run holding every file's results (one tool invocation). `uri` must already be a URI
 * reference (see `artifactUriFromPath`); it is used as is for the artifact and every location.
 * With `problems` the run also says whether it succeeded: a consumer reading only the log must not
 * take a run that skipped an unreadable input for a clean one.
 */
export function toSarif(
  runs: readonly {
    uri: string;
    analysis: Pick<Analysis, 'findings'>;
    /** For a binary capture: the frame each line of its decoded text belongs to. */
    frameOfLine?: (line: number) => number | undefined;
  }[],
  toolVersion: string,
  problems?: readonly SarifInputProblem[],
): SarifLog {
  const results: SarifResult[] = [];
  runs.forEach(({ uri, analysis, frameOfLine }, index) => {
    for (const f of analysis.findings) results.push(result(f, uri, index, frameOfLine));
  });
  const semver = /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(toolVersion);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: toolVersion,
            ...(semver ? { semanticVersion: toolVersion } : {}),
            informationUri: TOOL_INFORMATION_URI,
            rules: RULE_IDS.map((id) => ({
              id,
              name: RULES[id].name,
              shortDescription: { text: RULES[id].shortDescription },
              fullDescription: { text: RULES[id].fullDescription },
              // Reset findings are warnings unless their confidence is low; the notes never warn.
              defaultConfiguration: {
                level: id === 'no-ttl' || id === 'checksum-offload' || id === 'binary-capture' ? 'note' : 'warning',
              },
            })),
          },
        },
        artifacts: runs.map(({ uri }) => ({ location: { uri } })),
        ...(problems ? { invocations: [invocation(problems)] } : {}),
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function invocation(problems: readonly SarifInputProblem[]): NonNullable<SarifLog['runs'][0]['invocations']>[0] {
  if (problems.length === 0) return { executionSuccessful: true };
  return {
    executionSuccessful: false,
    toolExecutionNotifications: problems.map((p) => ({
      level: 'error',
      message: { text: p.message },
      ...(p.uri !== undefined ? { locations: [{ physicalLocation: { artifactLocation: { uri: p.uri } } }] } : {}),
    })),
  };
}

/**
 * A file path as a SARIF artifact URI: relative paths stay relative (code-scanning tools resolve
 * them against the checkout), absolute ones become file:// URIs; characters a URI cannot hold
 * (spaces, '#', '%', non-ASCII) are percent-encoded. '-' (standard input) becomes 'stdin'.
 */
export function artifactUriFromPath(path: string): string {
  if (path === '-') return 'stdin';
  const slashed = path.replace(/\\/g, '/');
  const encoded = slashed
    .split('/')
    .map((segment, i) => (i === 0 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join('/');
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${encoded}`;
  if (slashed.startsWith('/')) return `file://${encoded}`;
  // encodeURIComponent turns ':' into %3A, so a relative path never reads as a URI scheme.
  return encoded;
}
