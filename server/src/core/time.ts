import type { Packet } from './packet';

/*
 * Timestamps as seconds, for the silence before an RST. Only clock times count: tcpdump's default
 * time of day, -tttt's date and time, -tt's epoch seconds. Deltas (-ttt, -ttttt, tcpdump 3.9's
 * microsecond deltas) and notes such as `[Error converting time]` give no time.
 */

const TIME_OF_DAY = /^(\d{1,2}):(\d\d):(\d\d)(\.\d+)?$/;
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d) (\d{1,2}):(\d\d):(\d\d)(\.\d+)?$/;
const EPOCH = /^(\d{9,})(\.\d+)?$/;

/** A packet's clock time in seconds, and whether it is only a time of day (it wraps at midnight). */
export function packetTime(
  p: Pick<Packet, 'timestamp' | 'timeIsDelta'>,
): { seconds: number; ofDay: boolean } | undefined {
  const ts = p.timestamp;
  if (ts === undefined || p.timeIsDelta) return undefined;
  let m = TIME_OF_DAY.exec(ts);
  if (m) return { seconds: +m[1] * 3600 + +m[2] * 60 + +m[3] + (m[4] ? +m[4] : 0), ofDay: true };
  m = DATE_TIME.exec(ts);
  if (m) {
    const day = Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000;
    return { seconds: day + +m[4] * 3600 + +m[5] * 60 + +m[6] + (m[7] ? +m[7] : 0), ofDay: false };
  }
  m = EPOCH.exec(ts);
  if (m) return { seconds: +m[1] + (m[2] ? +m[2] : 0), ofDay: false };
  return undefined;
}

/** Seconds from `earlier` to `later` (a time of day that went backwards crossed midnight). */
export function secondsBetween(
  earlier: { seconds: number; ofDay: boolean },
  later: { seconds: number; ofDay: boolean },
): number {
  const d = later.seconds - earlier.seconds;
  return d < 0 && later.ofDay && earlier.ofDay ? d + 86400 : d;
}
