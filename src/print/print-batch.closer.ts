import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type IORedis from 'ioredis';
import type { SpoolTicket } from '../channels/letter/letter.spool';
import type { JobLogger } from '../jobs/pipeline.deps';
import type { CommunicationRepository } from '../store/communication.repository';
import { PrintBatchEntity } from '../store/print-batch.entity';
import { PrintLetterEntity } from '../store/print-letter.entity';
import { readLetter } from './letter-pdf.reader';
import { manifestCsv, manifestJson, totalsOf } from './manifest.writer';
import { gramsOf, postalZoneOf, sheetsOf, weightClassOf, type PostageOptions } from './postage';
import { PrintBatchPdf } from './print-batch.pdf';
import type { MarkOptions } from './print-mark';
import type { PrintBatchRepository } from '../store/print-batch.repository';

export interface PrintCloserDeps {
  /** The letter spool (`<dataDir>/print-spool`). */
  readonly spoolDir: string;
  /** The data folder; batches go to `<dataDir>/print-batches/<id>/`. */
  readonly dataDir: string;
  readonly store: PrintBatchRepository;
  readonly repository: CommunicationRepository;
  /** For the lock that lets one process close a batch at a time. */
  readonly redis: IORedis;
  readonly prefix: string;
  readonly logger: JobLogger;
  readonly clock?: () => Date;
  readonly postage: PostageOptions;
  readonly mark?: MarkOptions;
}

/** What one closing does; the service and the scheduler fill it from `PRINT_DUPLEX` and `PRINT_BATCH_MAX_LETTERS`. */
export interface CloseOptions {
  /** Printed on both sides: a blank back page after a letter with an odd page count. */
  readonly duplex: boolean;
  /** Letters per batch, oldest spooled first. */
  readonly maxLetters: number;
}

type Ticket = Pick<SpoolTicket, 'deliveryId' | 'communicationId' | 'pages' | 'sha256' | 'createdAt'> & { readonly country: string; readonly postalCode: string };

/** Thrown when another process is closing a batch right now. */
export class PrintBatchBusyError extends Error {
  constructor() {
    super('print batch: another process is closing a batch right now');
    this.name = 'PrintBatchBusyError';
  }
}

/**
 * Closes a print batch from what the letter spool holds: the oldest letters,
 * sorted by country and postal code (what postal presorting discounts ask
 * for), into one print-ready PDF with a mark per page, a manifest (CSV and
 * JSON) and per-batch totals; then records the batch and moves the letters out
 * of the spool. Null when the spool is empty. A crash after recording leaves
 * letters in the spool that the next close recognises and clears.
 */
export async function closePrintBatch(deps: PrintCloserDeps, options: CloseOptions): Promise<PrintBatchEntity | null> {
  const lockKey = `${deps.prefix}:print-batch-closer`;
  const token = randomUUID();
  if ((await deps.redis.set(lockKey, token, 'PX', 600_000, 'NX')) !== 'OK') throw new PrintBatchBusyError();
  try {
    return await close(deps, options);
  } finally {
    if ((await deps.redis.get(lockKey)) === token) await deps.redis.del(lockKey);
  }
}

async function close(deps: PrintCloserDeps, options: CloseOptions): Promise<PrintBatchEntity | null> {
  const { duplex } = options;
  const now = (deps.clock ?? (() => new Date()))();
  const tickets = await readTickets(deps.spoolDir);
  const done = await deps.store.batched(tickets.map((t) => t.deliveryId));
  for (const ticket of tickets.filter((t) => done.has(t.deliveryId))) await clearSpooled(deps.spoolDir, ticket.deliveryId);
  const chosen = tickets
    .filter((t) => !done.has(t.deliveryId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.deliveryId.localeCompare(b.deliveryId))
    .slice(0, options.maxLetters)
    .sort((a, b) => a.country.localeCompare(b.country) || a.postalCode.localeCompare(b.postalCode) || a.deliveryId.localeCompare(b.deliveryId));
  if (chosen.length === 0) return null;

  const customers = new Map<string, string>();
  for (let i = 0; i < chosen.length; i += 500) {
    const deliveries = await deps.repository.getDeliveries(chosen.slice(i, i + 500).map((t) => t.deliveryId));
    for (const delivery of deliveries) if (delivery) customers.set(delivery.id, delivery.customerId);
  }

  const id = randomUUID();
  const directory = join('print-batches', id);
  const folder = join(deps.dataDir, directory);
  await mkdir(join(folder, 'letters'), { recursive: true });
  const pdf = new PrintBatchPdf(join(folder, '.batch.pdf.tmp'), { duplex, title: `Print batch ${id}`, date: now, mark: deps.mark });
  const letters: PrintLetterEntity[] = [];
  for (const ticket of chosen) {
    const customerId = customers.get(ticket.deliveryId);
    if (!customerId) {
      deps.logger.warn({ deliveryId: ticket.deliveryId }, 'spooled letter without a delivery record: left in the spool');
      continue;
    }
    let letter;
    try {
      const bytes = await readFile(join(deps.spoolDir, `${ticket.deliveryId}.pdf`));
      // What is printed must be what was spooled (and archived).
      if (createHash('sha256').update(bytes).digest('hex') !== ticket.sha256) throw new Error('sha256 differs from the ticket');
      letter = await readLetter(bytes);
    } catch (error) {
      deps.logger.warn({ deliveryId: ticket.deliveryId, err: (error as Error).message }, 'spooled letter unreadable: left in the spool');
      continue;
    }
    const placed = await pdf.addLetter(ticket.deliveryId, letters.length + 1, letter);
    const sheets = sheetsOf(placed.pages, duplex);
    const grams = gramsOf(sheets, deps.postage);
    letters.push(
      Object.assign(new PrintLetterEntity(), {
        deliveryId: ticket.deliveryId,
        printBatchId: id,
        sequence: letters.length + 1,
        communicationId: ticket.communicationId,
        customerId,
        pages: placed.pages,
        sheets,
        firstPage: placed.firstPage,
        weightClass: weightClassOf(grams),
        grams,
        postalZone: postalZoneOf(ticket.country, deps.postage),
        country: ticket.country.toUpperCase(),
        postalCode: ticket.postalCode,
      }),
    );
  }
  const written = await pdf.finish();
  if (letters.length === 0) {
    await rm(folder, { recursive: true, force: true });
    return null;
  }
  await rename(join(folder, '.batch.pdf.tmp'), join(folder, 'batch.pdf'));
  const batch = Object.assign(new PrintBatchEntity(), {
    id,
    duplex,
    letters: letters.length,
    pages: written.pages,
    blankPages: written.pages - letters.reduce((sum, l) => sum + l.pages, 0),
    sheets: letters.reduce((sum, l) => sum + l.sheets, 0),
    grams: letters.reduce((sum, l) => sum + l.grams, 0),
    directory: directory.split('\\').join('/'),
    sha256: written.sha256,
    totals: totalsOf(letters),
    createdAt: now,
  });
  await writeFile(join(folder, 'manifest.csv'), manifestCsv(letters));
  await writeFile(join(folder, 'manifest.json'), manifestJson(batch, letters));
  await deps.store.record(batch, letters);
  // After the record: a crash in between loses these entries, never the batch (the retry skips recorded letters).
  await deps.repository.noteDeliveries(letters.map((l) => ({ deliveryId: l.deliveryId, detail: `printed in batch ${id}, sequence ${l.sequence} of ${letters.length}` })));
  for (const letter of letters) await moveSpooled(deps.spoolDir, join(folder, 'letters'), letter.deliveryId);
  deps.logger.info({ printBatchId: id, letters: batch.letters, pages: batch.pages, sheets: batch.sheets }, 'print batch closed');
  return batch;
}

async function readTickets(spoolDir: string): Promise<Ticket[]> {
  let names: string[];
  try {
    names = await readdir(spoolDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const tickets: Ticket[] = [];
  for (const name of names) {
    // Dot-prefixed files are being written by the spool; a ticket is complete once renamed.
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      const t = JSON.parse(await readFile(join(spoolDir, name), 'utf8')) as SpoolTicket;
      tickets.push({ deliveryId: t.deliveryId, communicationId: t.communicationId, pages: t.pages, sha256: t.sha256, createdAt: t.createdAt, country: t.address.country, postalCode: t.address.postalCode });
    } catch {
      // Unreadable or vanished meanwhile: the next close looks again.
    }
  }
  return tickets;
}

async function moveSpooled(spoolDir: string, to: string, deliveryId: string): Promise<void> {
  for (const ext of ['pdf', 'json']) await rename(join(spoolDir, `${deliveryId}.${ext}`), join(to, `${deliveryId}.${ext}`)).catch(() => undefined);
}

async function clearSpooled(spoolDir: string, deliveryId: string): Promise<void> {
  for (const ext of ['pdf', 'json']) await rm(join(spoolDir, `${deliveryId}.${ext}`), { force: true });
}
