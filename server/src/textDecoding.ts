/*
 * Bytes of a text file → text, as the CLI and the server's Analyze Capture File read them. UTF-8
 * unless a byte-order mark says UTF-16: Windows PowerShell's `>` and Out-File write tcpdump's
 * output as UTF-16 LE with a BOM, which read as UTF-8 is full of NULs and looked like a binary
 * capture. A BOM is dropped, a UTF-8 one too (as VS Code does for an open document): left in, it
 * hid the first line's packet.
 */

import { TextDecoder } from 'node:util';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding the first bytes announce; UTF-8 without a UTF-16 byte-order mark. */
export function encodingOf(head: Uint8Array): TextEncodingName {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** A whole file's text. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder(encodingOf(bytes)).decode(bytes);
}

/**
 * Text of bytes arriving in pieces, the encoding taken from the first two bytes. Characters split
 * across pieces (UTF-8 sequences, UTF-16 code units and surrogate pairs) come out whole.
 */
export class TextChunkDecoder {
  private decoder: TextDecoder | undefined;
  /** The first byte, when the first piece held only one (the encoding is not known yet). */
  private pending: Uint8Array | undefined;

  write(bytes: Uint8Array): string {
    if (this.decoder) return this.decoder.decode(bytes, { stream: true });
    const head = this.pending ? concat(this.pending, bytes) : bytes;
    if (head.length < 2) {
      this.pending = head;
      return '';
    }
    this.pending = undefined;
    this.decoder = new TextDecoder(encodingOf(head));
    return this.decoder.decode(head, { stream: true });
  }

  end(): string {
    if (this.decoder) return this.decoder.decode();
    const head = this.pending ?? new Uint8Array(0);
    this.pending = undefined;
    return decodeText(head);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
