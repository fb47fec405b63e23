import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Channel, type PostalAddress } from '../domain';
import type { ChannelProvider, OutboundMessage, SendResult } from './channel';

export interface LetterSpoolOptions {
  /** The folder the print service picks jobs up from; created when missing. */
  readonly spoolDir: string;
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

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Letters go to a print spool folder: `<deliveryId>.pdf` plus `<deliveryId>.json`.
 * Both are written to a temporary name and renamed, so the print service never
 * sees half a file; the sidecar is renamed last and marks the job complete.
 * A delivery id is spooled once: a repeat (a retried job) finds the sidecar and
 * leaves the job as it is. Handing a letter to print is final.
 */
export class LetterSpoolProvider implements ChannelProvider {
  readonly channel = Channel.LETTER;

  constructor(private readonly options: LetterSpoolOptions) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const letter = message.letter;
    if (!letter) throw new Error(`delivery ${message.deliveryId}: expected a letter part, got none`);
    if (!SAFE_ID.test(message.deliveryId)) {
      throw new Error(`deliveryId: expected letters, digits, ".", "_" or "-", got ${JSON.stringify(message.deliveryId)}`);
    }
    const providerMessageId = `spool:${message.deliveryId}`;
    const pdfPath = this.pathOf(message.deliveryId, 'pdf');
    const ticketPath = this.pathOf(message.deliveryId, 'json');
    const existing = await readTicket(ticketPath);
    if (existing) return { providerMessageId, final: true, detail: `already spooled at ${existing.createdAt}` };

    await mkdir(this.options.spoolDir, { recursive: true });
    const ticket: SpoolTicket = {
      deliveryId: message.deliveryId,
      communicationId: message.communicationId,
      name: letter.name,
      address: letter.address,
      pages: letter.pages,
      sha256: createHash('sha256').update(letter.pdf).digest('hex'),
      createdAt: new Date().toISOString(),
    };
    await this.writeAtomically(pdfPath, letter.pdf);
    await this.writeAtomically(ticketPath, `${JSON.stringify(ticket, null, 2)}\n`);
    return { providerMessageId, final: true, detail: `spooled for print (${letter.pages} pages)` };
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
