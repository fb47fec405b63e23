import type { LinkCheck } from '../store/document.archive';

/** The files of a closed batch that an operator picks up, with what they are served as. */
export const PRINT_BATCH_FILES = Object.freeze({
  'batch.pdf': { contentType: 'application/pdf', suffix: '.pdf' },
  'manifest.csv': { contentType: 'text/csv; charset=utf-8; header=present', suffix: '-manifest.csv' },
  'manifest.json': { contentType: 'application/json; charset=utf-8', suffix: '-manifest.json' },
} as const);

export type PrintBatchFile = keyof typeof PRINT_BATCH_FILES;

export function isPrintBatchFile(name: string): name is PrintBatchFile {
  return Object.prototype.hasOwnProperty.call(PRINT_BATCH_FILES, name);
}

/** The signer of download links: the document archive's (`DocumentArchive.signedUrl` / `verify`). */
export interface LinkSigner {
  signedUrl(subject: string, now?: Date): string;
  verify(subject: string, expires: string | number, sig: string, now?: Date): LinkCheck;
}

/**
 * Signed, expiring links to a print batch's files:
 * `<publicUrl>/print-batches/<id>/<file>?expires=…&sig=…`. The signature is the
 * document archive's HMAC (same secret, same lifetime) over a subject naming
 * the batch *and* the file, so a link to one file opens no other file and no
 * archived document.
 */
export class PrintBatchLinks {
  private readonly publicUrl: string;

  constructor(private readonly signer: LinkSigner, publicUrl: string) {
    this.publicUrl = publicUrl.replace(/\/+$/, '');
  }

  url(batchId: string, file: PrintBatchFile, now?: Date): string {
    // The archive's link carries the signature in its query; the path is the route's own.
    const signed = new URL(this.signer.signedUrl(subjectOf(batchId, file), now));
    const query = new URLSearchParams({ expires: signed.searchParams.get('expires') ?? '', sig: signed.searchParams.get('sig') ?? '' });
    return `${this.publicUrl}/print-batches/${encodeURIComponent(batchId)}/${file}?${query.toString()}`;
  }

  verify(batchId: string, file: PrintBatchFile, expires: string, sig: string, now?: Date): LinkCheck {
    return this.signer.verify(subjectOf(batchId, file), expires, sig, now);
  }
}

function subjectOf(batchId: string, file: PrintBatchFile): string {
  return `print-batch/${batchId}/${file}`;
}
