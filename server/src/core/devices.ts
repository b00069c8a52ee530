import { CONFIDENCE_RANK, type Confidence } from './options';
import type { Packet } from './packet';
import type { ResetVerdict } from './verdict';

/*
 * The answer the article ends with: not 400 warnings but "a device N hops out reset these
 * connections". Suspicious RSTs whose own header places their real sender (its distance and initial
 * TTL, its MAC with -e) are grouped by that place: one group is one device. Genuine RSTs, and
 * suspicious ones placed by nothing but race signals (information only), form no device.
 */

/** One RST a device sent, with the connection it reset. */
export interface DeviceReset {
  packet: number;
  /** 0-based first line of the RST. */
  line: number;
  frameNumber?: number;
  timestamp?: string;
  /** The RST as sent: its (forged) source is the claimed host. */
  src: string;
  dst: string;
  srcPort?: string;
  dstPort?: string;
  confidence: Confidence;
  /**
   * When in its connection it struck: answering a SYN, after the connection had been silent for
   * IDLE_SECONDS or more (a timed-out session), or in the middle of it.
   */
  moment: 'on-syn' | 'after-idle' | 'mid-connection';
  /** Seconds of silence in the connection before it, when the capture prints clock times. */
  idleSeconds?: number;
}

/** Silence before an RST that makes it "after idle": long for an application, short for a firewall's session timer. */
export const IDLE_SECONDS = 30;

/** Where the device sits before one host it spoke for. */
export interface ClaimedSource {
  address: string;
  /** The host's own distance from the capture point, when its packets show it. */
  hostHops?: number;
  /** hostHops − the device's hops: how far before the host the device sits. */
  hopsBefore?: number;
}

/** What the device's RSTs share beyond their distance. */
export interface DeviceFingerprint {
  /** IP IDs of its RSTs: all 0, or varying. */
  ipId?: 'zero' | 'varies';
  /** DF bit, when all its RSTs agree. */
  df?: boolean;
  /** TOS values seen. */
  tos: number[];
  /** Windows its RSTs advertised. */
  windows: number[];
  /** Source MACs (with -e). */
  macs: string[];
}

export interface SuspectedDevice {
  /** 1-based, in the order of each device's first RST. */
  id: number;
  /** Its distance from the capture point, and the initial TTL its RSTs start from. */
  hops: number;
  initialTtl: number;
  /** The highest confidence of its RSTs. */
  confidence: Confidence;
  claimedSources: ClaimedSource[];
  resets: DeviceReset[];
  fingerprint: DeviceFingerprint;
}

/** Whether a verdict places its RST's real sender: a warning whose RST carries a usable TTL. */
export function placesSender(v: ResetVerdict): boolean {
  return (
    v.status === 'suspicious' &&
    v.confidence !== undefined &&
    v.confidence !== 'low' &&
    v.hops !== undefined &&
    v.initialTtl !== undefined
  );
}

/**
 * Collects devices as suspicious RSTs come, in the order they are given (line order for a whole
 * text and the two-pass stream, so both number devices alike; report order in live mode).
 */
export class DeviceRegistry {
  private readonly byPlace = new Map<string, SuspectedDevice>();
  readonly devices: SuspectedDevice[] = [];

  /** Adds an RST its verdict places; returns its device's id (undefined when it places none). */
  add(p: Packet, v: ResetVerdict): number | undefined {
    if (!placesSender(v)) return undefined;
    const place = `${v.initialTtl}/${v.hops}/${p.srcMac ?? ''}`;
    let d = this.byPlace.get(place);
    if (!d) {
      d = {
        id: this.devices.length + 1,
        hops: v.hops!,
        initialTtl: v.initialTtl!,
        confidence: v.confidence!,
        claimedSources: [],
        resets: [],
        fingerprint: { tos: [], windows: [], macs: [] },
      };
      this.byPlace.set(place, d);
      this.devices.push(d);
    }
    if (CONFIDENCE_RANK[v.confidence!] > CONFIDENCE_RANK[d.confidence]) d.confidence = v.confidence!;
    if (!d.claimedSources.some((c) => c.address === p.src)) {
      const host: ClaimedSource = { address: p.src };
      if (v.baselineHops !== undefined) {
        host.hostHops = v.baselineHops;
        host.hopsBefore = v.baselineHops - v.hops!;
      }
      d.claimedSources.push(host);
    }
    const r: DeviceReset = {
      packet: p.index,
      line: p.startLine,
      src: p.src,
      dst: p.dst,
      confidence: v.confidence!,
      // A reject answering a SYN carries sequence number 0 and acknowledges the SYN.
      moment:
        p.seq === 0 && p.flags === 'R.'
          ? 'on-syn'
          : v.idleSeconds !== undefined && v.idleSeconds >= IDLE_SECONDS
            ? 'after-idle'
            : 'mid-connection',
    };
    if (v.idleSeconds !== undefined) r.idleSeconds = Math.round(v.idleSeconds * 1e6) / 1e6;
    if (p.frameNumber !== undefined) r.frameNumber = p.frameNumber;
    if (p.timestamp !== undefined) r.timestamp = p.timestamp;
    if (p.srcPort !== undefined) r.srcPort = p.srcPort;
    if (p.dstPort !== undefined) r.dstPort = p.dstPort;
    d.resets.push(r);
    addFingerprint(d.fingerprint, p, d.resets.length === 1);
    return d.id;
  }
}

function addFingerprint(f: DeviceFingerprint, p: Packet, first: boolean): void {
  if (p.ipId !== undefined) {
    const kind = p.ipId === 0 ? 'zero' : 'varies';
    f.ipId = first || f.ipId === undefined ? kind : f.ipId === kind ? kind : 'varies';
  }
  if (p.df !== undefined) f.df = first ? p.df : f.df === p.df ? p.df : undefined;
  if (p.tos !== undefined && !f.tos.includes(p.tos)) f.tos.push(p.tos);
  if (p.win !== undefined && !f.windows.includes(p.win) && f.windows.length < 8) f.windows.push(p.win);
  if (p.srcMac !== undefined && !f.macs.includes(p.srcMac)) f.macs.push(p.srcMac);
}
