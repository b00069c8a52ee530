import { jsonForTerminal } from '../core/displayText';
import { DEFAULT_OPTIONS } from '../core/options';
import { FollowAnalysis, type FollowEvent } from '../core/streamAnalysis';
import type { Format } from './args';
import { noPackets, type TextSource } from './inputs';
import { complain, LongLineNotes, write } from './output';
import { findingJson, findingText } from './printers';

/** --follow: one input read once, each finding printed as soon as it is decided; returns the exit status. */
export async function follow(file: string, source: TextSource, format: Format, allowEmpty: boolean): Promise<number> {
  const live = new FollowAnalysis(DEFAULT_OPTIONS);
  let warnings = 0;
  const print = async (events: FollowEvent[]): Promise<void> => {
    if (events.length === 0) return;
    const out = events.map((e) => {
      const f = e.finding;
      if (f.severity === 'warning') warnings++;
      const frame = source.frameOfLine?.(f.startLine);
      if (format === 'json') {
        return jsonForTerminal(
          JSON.stringify({
            file,
            ...findingJson(f, frame),
            decidedAtLine: e.decidedAtLine + 1,
            ...(e.raisedFrom ? { raisedFrom: e.raisedFrom } : {}),
          }),
        );
      }
      const later = e.decidedAtLine > f.endLine;
      const note = e.raisedFrom
        ? ` (confidence raised from ${e.raisedFrom} at line ${e.decidedAtLine + 1})`
        : later
          ? ` (decided at line ${e.decidedAtLine + 1}, when later packets arrived)`
          : '';
      return `${findingText(file, f, frame)}${note}`;
    });
    await write(`${out.join('\n')}\n`);
  };
  const notes = new LongLineNotes(file);
  for await (const chunk of source.chunks()) {
    await print(live.push(chunk));
    notes.add(live.takeLongLines());
  }
  await print(live.end());
  notes.add(live.takeLongLines());
  notes.end();
  if (live.packetCount === 0 && !allowEmpty) {
    complain(`${noPackets(file)} (--allow-empty accepts that)`);
    return 2;
  }
  return warnings > 0 ? 1 : 0;
}
