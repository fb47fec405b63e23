import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { PDFContext, PDFHeader, type PDFObject, type PDFRef } from 'pdf-lib';

/**
 * A PDF file written while it grows. pdf-lib's `save()` serialises a whole
 * document at once, in memory; here the objects of a pdf-lib context are
 * serialised by pdf-lib and appended to the file at each `flush()`, then
 * dropped from the context, so memory holds what was added since the last
 * flush (one letter), not the batch. Classic cross-reference table, no object
 * streams.
 */
export class PdfFileWriter {
  readonly context = PDFContext.create();
  /** Byte offset of each object written, by object number. */
  private readonly offsets: number[] = [];
  private readonly hash = createHash('sha256');
  private file: FileHandle | null = null;
  private position = 0;

  constructor(private readonly path: string) {}

  /** Writes every object now in the context, except `keep` (written by a later flush), and forgets them. */
  async flush(keep: readonly PDFRef[] = []): Promise<void> {
    const chunks: Uint8Array[] = this.file ? [] : [bytesOf(PDFHeader.forVersion(1, 7)), Buffer.from('\n\n')];
    let at = this.position + chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    for (const [ref, object] of this.context.enumerateIndirectObjects()) {
      if (keep.includes(ref)) continue;
      const framed = Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`), bytesOf(object), Buffer.from('\nendobj\n')]);
      this.offsets[ref.objectNumber] = at;
      at += framed.length;
      chunks.push(framed);
      this.context.delete(ref);
    }
    await this.write(Buffer.concat(chunks));
  }

  /** Writes what is left, the cross-reference table and the trailer, and closes the file. */
  async finish(root: PDFRef, info: PDFRef): Promise<{ sha256: string; bytes: number }> {
    await this.flush();
    const size = this.context.largestObjectNumber + 1;
    const xrefAt = this.position;
    const rows = ['xref', `0 ${size}`, '0000000000 65535 f '];
    for (let n = 1; n < size; n += 1) {
      const offset = this.offsets[n];
      rows.push(offset === undefined ? '0000000000 65535 f ' : `${String(offset).padStart(10, '0')} 00000 n `);
    }
    const trailer = bytesOf(this.context.obj({ Size: size, Root: root, Info: info }));
    await this.write(Buffer.concat([Buffer.from(`${rows.join('\n')}\ntrailer\n`), trailer, Buffer.from(`\nstartxref\n${xrefAt}\n%%EOF\n`)]));
    await this.file?.close();
    this.file = null;
    return { sha256: this.hash.digest('hex'), bytes: this.position };
  }

  private async write(bytes: Buffer): Promise<void> {
    this.file ??= await open(this.path, 'wx');
    this.hash.update(bytes);
    for (let done = 0; done < bytes.length; ) done += (await this.file.write(bytes, done)).bytesWritten;
    this.position += bytes.length;
  }
}

function bytesOf(object: PDFObject | PDFHeader): Buffer {
  const bytes = Buffer.alloc(object.sizeInBytes());
  object.copyBytesInto(bytes, 0);
  return bytes;
}
