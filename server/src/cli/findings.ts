import { analyzeStages, type Finding } from '../core/analyze';
import type { AnalysisOptions } from '../core/options';
import { splitLines } from '../core/parse';
import { capLines } from '../core/streamParse';
import { CaptureJudge, CaptureSurvey } from '../core/streamAnalysis';
import type { CliArgs } from './args';
import { InputError, noPackets, type TextSource } from './inputs';
import { complain, LongLineNotes } from './output';
import {
  jsonPrinter,
  reportPrinter,
  sarifPrinter,
  summaryPrinter,
  textPrinter,
  type FindingPrinter,
  type InputProblem,
} from './printers';

/** Analyses one input (whole, or in both streamed passes); returns how many packets it read and warnings it printed. */
async function analyzeSource(
  file: string,
  source: TextSource,
  printer: FindingPrinter,
  options: AnalysisOptions,
): Promise<{ packets: number; warnings: number }> {
  if (source.wholeText) {
    // The same findings as the streamed passes (test/core/streamAnalysis.test.ts proves it), long
    // lines cut as they cut them.
    const text = source.wholeText();
    const lines = splitLines(text);
    const notes = new LongLineNotes(file);
    notes.add(capLines(lines));
    notes.end();
    const { analysis } = analyzeStages(text, options, lines);
    const warnings = analysis.findings.filter((f) => f.severity === 'warning').length;
    await printer.file(file, analysis.packets.length, source.frameOfLine);
    await printer.findings(analysis.findings);
    await printer.devices(analysis.devices, warnings);
    return { packets: analysis.packets.length, warnings };
  }
  const survey = new CaptureSurvey(options);
  for await (const chunk of source.chunks()) survey.push(chunk);
  const summary = survey.end();
  const notes = new LongLineNotes(file);
  notes.add(summary.longLines);
  notes.end();
  await printer.file(file, summary.packets, source.frameOfLine);
  const judge = new CaptureJudge(summary, options);
  let warnings = 0;
  const print = async (list: Finding[]): Promise<void> => {
    for (const f of list) if (f.severity === 'warning') warnings++;
    await printer.findings(list);
  };
  for await (const chunk of source.chunks()) await print(judge.push(chunk));
  await print(judge.end());
  await printer.devices(judge.devices, warnings);
  return { packets: summary.packets, warnings };
}

/** The default mode: every input's findings in one document; returns the exit status. */
export async function printFindings(args: CliArgs, sources: (file: string) => Promise<TextSource>): Promise<number> {
  const printer = args.summary
    ? summaryPrinter(args.lang)
    : args.format === 'report'
      ? reportPrinter(args.lang)
      : args.format === 'sarif'
        ? sarifPrinter()
        : args.format === 'json'
          ? jsonPrinter()
          : textPrinter();
  let warnings = 0;
  const problems: InputProblem[] = [];
  const damaged: string[] = [];
  for (const file of args.files) {
    // One bad input fails the run, but the others are still read and the document still ends.
    try {
      const source = await sources(file);
      try {
        const read = await analyzeSource(file, source, printer, args.options);
        warnings += read.warnings;
        if (source.damaged) damaged.push(file);
        if (read.packets === 0 && !args.allowEmpty) {
          complain(`${noPackets(file)} (--allow-empty accepts that)`);
          problems.push({ file, message: noPackets(file) });
        }
      } finally {
        source.dispose();
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      complain(e.message);
      problems.push({ file, message: e.message });
    }
  }
  const damage = (file: string): string => `damaged capture: ${file} (findings cover the frames before the damage)`;
  await printer.end([...problems, ...damaged.map((file) => ({ file, message: damage(file) }))]);
  // Like tcpdump on a truncated file: what could be read is reported, the run still fails.
  if (damaged.length) complain(damage(damaged.join(', ')));
  if (problems.length || damaged.length) return 2;
  // Information notes (no TTLs, checksum offload) explain; only warnings fail a pipeline.
  return warnings > 0 ? 1 : 0;
}
