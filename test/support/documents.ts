import { createHash } from 'node:crypto';
import type { DocumentReader } from '../../src/channels/channel';

/** Documents held in memory, read as providers read the archive (for provider tests that need no store). */
export function memoryDocuments(pages = 2): DocumentReader & { put(id: string, bytes: Buffer): string } {
  const documents = new Map<string, Buffer>();
  return {
    put(id, bytes) {
      documents.set(id, bytes);
      return id;
    },
    async read(id) {
      const bytes = documents.get(id);
      if (!bytes) throw new Error(`document ${id}: expected it in the archive, got nothing`);
      return { bytes, pages, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
    },
  };
}
