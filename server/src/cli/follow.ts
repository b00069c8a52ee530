import type { Finding } from '../core/analyze';
import { displayText, jsonForTerminal } from '../core/displayText';
import type { AnalysisOptions } from '../core/options';
import { FollowAnalysis, type FollowEvent } from '../core/streamAnalysis';
import type { Format } from './args';
import { noPackets, type TextSource } from './inputs';
import { complain, LongLineNotes, write } from './output';
import { findingJson, findingText } from './printers';

/** --follow: one input read once, each finding printed as soon as it is decided; returns the exit status. */
export async function follow(
  file: string,
  source: TextSource,
  format: Format,
  allowEmpty: boolean,
  options: AnalysisOptions,
): Promise<number> {
  const live = new FollowAnalysis(options);
  // The warnings that stand, by the line of their RST: a lowered or withdrawn one no longer counts.
  const standing = new Map<number, Finding>();
  const print = async (events: FollowEvent[]): Promise<void> => {
    if (events.length === 0) return;
    const out = events.map((e) => {
      const f = e.finding;
      if (e.retracted) standing.delete(f.startLine);
      else standing.set(f.startLine, f);
      const frame = source.frameOfLine?.(f.startLine);
      const event = followEventKind(e);
      if (format === 'json') {
        return jsonForTerminal(
          JSON.stringify({
            file,
            event,
            ...findingJson(f, frame),
            decidedAtLine: e.decidedAtLine + 1,
            ...(e.raisedFrom ? { raisedFrom: e.raisedFrom } : {}),
            ...(e.loweredFrom ? { loweredFrom: e.loweredFrom } : {}),
          }),
        );
      }
      const at = e.decidedAtLine + 1;
      if (e.retracted) {
        return displayText(
          `${file}:${f.startLine + 1}:${f.startCharacter + 1}: withdrawn: the ${f.confidence ?? ''} report on this RST no longer stands: packets up to line ${at} explain it [${f.code}]${frame !== undefined ? ` (frame ${frame})` : ''}`,
        );
      }
      const note =
        event === 'raise'
          ? ` (confidence raised from ${e.raisedFrom} at line ${at})`
          : event === 'lower'
            ? ` (confidence lowered from ${e.loweredFrom} at line ${at}: later packets weaken it)`
            : e.decidedAtLine > f.endLine
              ? ` (decided at line ${at}, when later packets arrived)`
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
  return [...standing.values()].some((f) => f.severity === 'warning') ? 1 : 0;
}

/** How a live report changes what stands: the first word on an RST, or a later change of it. */
function followEventKind(e: FollowEvent): 'report' | 'raise' | 'lower' | 'retract' {
  return e.retracted ? 'retract' : e.raisedFrom ? 'raise' : e.loweredFrom ? 'lower' : 'report';
}
