import { toPacketRecord } from '../core/packetRecord';
import type { StreamedPacket } from '../core/streamParse';
import { TextIntake } from '../core/streamAnalysis';
import { InputError, type TextSource } from './inputs';
import { complain, LongLineNotes, writeJson } from './output';

/** --packets: prints every input's packets; returns false when an input could not be read (the others still are). */
export async function printPackets(
  files: readonly string[],
  sources: (file: string) => Promise<TextSource>,
): Promise<boolean> {
  let ok = true;
  for (const file of files) {
    try {
      const source = await sources(file);
      try {
        const intake = new TextIntake(false);
        const notes = new LongLineNotes(file);
        const packets: StreamedPacket[] = [];
        const flush = async (): Promise<void> => {
          if (packets.length === 0) return;
          const out = packets.map((sp) =>
            JSON.stringify(files.length > 1 ? { file, ...toPacketRecord(sp.packet) } : toPacketRecord(sp.packet)),
          );
          packets.length = 0;
          await writeJson(`${out.join('\n')}\n`);
        };
        for await (const chunk of source.chunks()) {
          intake.push(chunk, packets);
          notes.add(intake.takeLongLines());
          await flush();
        }
        intake.end(packets);
        notes.add(intake.takeLongLines());
        notes.end();
        await flush();
      } finally {
        source.dispose();
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      complain(e.message);
      ok = false;
    }
  }
  return ok;
}
