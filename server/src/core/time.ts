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
  const fast = timeOfDay(ts);
  if (fast !== undefined) return { seconds: fast, ofDay: true };
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

const DIGITS_AT = [0, 1, 3, 4, 6, 7];

/** tcpdump's default `HH:MM:SS.ffffff`, read by character codes (it runs for every packet). */
function timeOfDay(ts: string): number | undefined {
  if (ts.length < 8 || ts.charCodeAt(2) !== 58 || ts.charCodeAt(5) !== 58) return undefined;
  for (const i of DIGITS_AT) {
    const c = ts.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const d = (i: number): number => ts.charCodeAt(i) - 48;
  const seconds = (d(0) * 10 + d(1)) * 3600 + (d(3) * 10 + d(4)) * 60 + d(6) * 10 + d(7);
  if (ts.length === 8) return seconds;
  if (ts.charCodeAt(8) !== 46) return undefined;
  const fraction = Number(ts.slice(8));
  return Number.isNaN(fraction) ? undefined : seconds + fraction;
}

/** Seconds from `earlier` to `later` (a time of day that went backwards crossed midnight). */
export function secondsBetween(
  earlier: { seconds: number; ofDay: boolean },
  later: { seconds: number; ofDay: boolean },
): number {
  const d = later.seconds - earlier.seconds;
  return d < 0 && later.ofDay && earlier.ofDay ? d + 86400 : d;
}
