import { parseCliArgs, USAGE, UsageError, type CliArgs } from './args';
import { printFindings } from './findings';
import { follow } from './follow';
import { InputError, openFile, openLiveStdin, openStdin, type TextSource } from './inputs';
import { complain } from './output';
import { printPackets } from './packets';
import { toolVersion } from './printers';

/*
 * `tcpdump-lens`: the core with a printer instead of LSP. Text is streamed from disk in two passes
 * (see core/streamAnalysis.ts), so memory follows the number of sources and open conversations,
 * not the file size; standard input is spooled to a temporary file for the second pass.
 */

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help' | 'version';
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // One line that says what is wrong, as GNU tools do; the whole text is one --help away.
    complain(e.message);
    process.stderr.write("Try 'tcpdump-lens --help'.\n");
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args === 'version') {
    process.stdout.write(`tcpdump-lens ${toolVersion()}\n`);
    return 0;
  }
  const stream = args.stream;
  const sources = (file: string): Promise<TextSource> => (file === '-' ? openStdin() : openFile(file, stream));
  try {
    if (args.packets) return (await printPackets(args.files, sources)) ? 0 : 2;
    if (args.follow) {
      const file = args.files[0];
      // Live input is read once: no spooling, no second pass.
      const source = file === '-' ? await openLiveStdin() : await openFile(file, true, true);
      try {
        return await follow(file, source, args.format, args.allowEmpty, args.options);
      } finally {
        source.dispose();
      }
    }
    return await printFindings(args, sources);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    complain(e.message);
    return 2;
  }
}

// A reader that stops early (`| head`) is no error of ours: stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    complain(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 2;
  },
);
