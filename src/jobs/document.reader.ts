import type { DocumentReader } from '../channels/channel';
import type { DocumentArchive } from '../store/document.archive';

/** The archive as providers read it: bytes checked against the recorded sha256, so what is sent is what is archived. */
export function documentReaderOf(archive: DocumentArchive): DocumentReader {
  return {
    async read(documentId) {
      const found = await archive.read(documentId);
      if (!found) throw new Error(`document ${documentId}: expected it in the archive, got nothing`);
      return { bytes: found.bytes, pages: found.entity.pages ?? null, sha256: found.entity.sha256, sizeBytes: found.entity.sizeBytes ?? found.bytes.length };
    },
  };
}
