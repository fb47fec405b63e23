import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Channel, type PostalAddress } from '../../domain';
import { assertSafeId, contentFor, type ChannelProvider, type DocumentReader, type RenderedMessage, type SendResult } from '../channel';

/** The letter form of one delivery: who and where, and the archived PDF to print. */
export interface LetterContent {
  readonly name: string;
  readonly address: PostalAddress;
  readonly documentId: string;
}

export interface LetterSpoolOptions {
  /** The folder the print service picks jobs up from; created when missing. */
  readonly spoolDir: string;
  /** Where the PDF is read from (the document archive). */
  readonly documents: DocumentReader;
}

/** The JSON sidecar next to each PDF: what the print service needs to print and post it. */
export interface SpoolTicket {
  readonly deliveryId: string;
  readonly communicationId: string;
  readonly name: string;
  readonly address: PostalAddress;
  readonly pages: number;
  readonly sha256: string;
  readonly createdAt: string;
}

/**
 * Letters go to a print spool folder: `<deliveryId>.pdf` plus `<deliveryId>.json`.
 * Both are written to a temporary name and renamed, so the print service never
 * sees half a file; the sidecar is renamed last and marks the job complete.
 * A delivery id is spooled once: a repeat (a retried job) finds the sidecar and
 * leaves the job as it is. Handing a letter to print is final.
 */
export class LetterSpoolProvider implements ChannelProvider<LetterContent> {
  readonly channel = Channel.LETTER;

  constructor(private readonly options: LetterSpoolOptions) {}

  async send(message: RenderedMessage<LetterContent>): Promise<SendResult> {
    const letter = contentFor(message, Channel.LETTER, 'a letter');
    assertSafeId(message.deliveryId);
    const providerMessageId = `spool:${message.deliveryId}`;
    const pdfPath = this.pathOf(message.deliveryId, 'pdf');
    const ticketPath = this.pathOf(message.deliveryId, 'json');
    const existing = await readTicket(ticketPath);
    if (existing) return { providerMessageId, final: true, detail: `already spooled at ${existing.createdAt}` };

    const { bytes: pdf, pages: counted } = await this.options.documents.read(letter.documentId);
    const pages = counted ?? 1;
    await mkdir(this.options.spoolDir, { recursive: true });
    const ticket: SpoolTicket = {
      deliveryId: message.deliveryId,
      communicationId: message.communicationId,
      name: letter.name,
      address: letter.address,
      pages,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      createdAt: new Date().toISOString(),
    };
    await this.writeAtomically(pdfPath, pdf);
    await this.writeAtomically(ticketPath, `${JSON.stringify(ticket, null, 2)}\n`);
    return { providerMessageId, final: true, detail: `spooled for print (${pages} pages)` };
  }

  /** Path of a spooled job's file; exposed for operators' tooling and tests. */
  pathOf(deliveryId: string, kind: 'pdf' | 'json'): string {
    return join(this.options.spoolDir, `${deliveryId}.${kind}`);
  }

  async check(): Promise<void> {
    await mkdir(this.options.spoolDir, { recursive: true });
    await access(this.options.spoolDir, constants.W_OK);
  }

  private async writeAtomically(path: string, content: Buffer | string): Promise<void> {
    // Dot-prefixed, so a print service watching for *.pdf / *.json skips it.
    const tmp = join(this.options.spoolDir, `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, content, { flag: 'wx' });
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}

async function readTicket(path: string): Promise<SpoolTicket | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SpoolTicket;
  } catch (error) {
    // A missing sidecar means "not spooled yet"; an unreadable one is rewritten.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return null;
    throw error;
  }
}
