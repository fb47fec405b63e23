import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeliveryStatus, Channel } from '../domain';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { applyProviderOutcome } from '../jobs/provider-outcome';
import type { OutcomeDeps } from '../jobs/pipeline.deps';
import type { Principal } from '../services/principal';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { PrintBatchEntity } from '../store/print-batch.entity';
import type { PrintLetterEntity } from '../store/print-letter.entity';
import { closePrintBatch, PrintBatchBusyError, type CloseOptions, type PrintCloserDeps } from './print-batch.closer';
import type { PrintBatchFile, PrintBatchLinks } from './print-batch.links';
import type { PrintBatchRepository } from '../store/print-batch.repository';

export interface PrintServiceOptions {
  readonly closer: PrintCloserDeps;
  readonly store: PrintBatchRepository;
  /** What a status change needs (the same as webhooks): the returned letter's fallback runs through it. */
  readonly outcomes: OutcomeDeps;
  /** A closing requested without its own options (`PRINT_DUPLEX`, `PRINT_BATCH_MAX_LETTERS`). */
  readonly defaults: CloseOptions;
  readonly links: PrintBatchLinks;
}

/** A download asked for with a signed link: refused, not there, or the file as a stream. */
export type PrintDownload =
  | { readonly outcome: 'forbidden'; readonly reason: 'expired' | 'invalid' }
  | { readonly outcome: 'not-found'; readonly what: 'batch' | 'file' }
  | { readonly outcome: 'ok'; readonly batch: PrintBatchEntity; readonly size: number; readonly stream: Readable };

const OPERATORS = new Set(['agent', 'admin']);
const REPORTERS = new Set(['agent', 'service', 'admin']);
const MAX_REASON = 500;

/** Print output for the API: close a batch now, list batches, register returned mail. */
export class PrintService {
  constructor(private readonly options: PrintServiceOptions) {}

  async close(requested: Partial<CloseOptions>, principal: Principal): Promise<PrintBatchEntity | null> {
    this.require(OPERATORS, principal, 'closePrintBatch');
    if (requested.maxLetters !== undefined && (!Number.isInteger(requested.maxLetters) || requested.maxLetters < 1 || requested.maxLetters > 100_000)) {
      throw badInput(`maxLetters: expected 1 to 100000, got ${requested.maxLetters}`, 'maxLetters');
    }
    const options: CloseOptions = { duplex: requested.duplex ?? this.options.defaults.duplex, maxLetters: requested.maxLetters ?? this.options.defaults.maxLetters };
    try {
      return await closePrintBatch(this.options.closer, options);
    } catch (error) {
      if (error instanceof PrintBatchBusyError) throw new AppError(ErrorCode.CONFLICT, `closePrintBatch: ${error.message}`);
      throw error;
    }
  }

  list(first: number, principal: Principal): Promise<PrintBatchEntity[]> {
    this.require(OPERATORS, principal, 'printBatches');
    if (!Number.isInteger(first) || first < 0 || first > 100) throw badInput(`first: expected 0 to 100, got ${first}`, 'first');
    return this.options.store.list(first);
  }

  async get(id: string, principal: Principal): Promise<PrintBatchEntity | null> {
    this.require(OPERATORS, principal, 'printBatch');
    return this.options.store.get(id);
  }

  /** A signed, expiring download link to one file of the batch (the caller is an operator: the field is authorized). */
  linkOf(batch: PrintBatchEntity, file: PrintBatchFile): string {
    return this.options.links.url(batch.id, file);
  }

  /**
   * A file of a batch for a signed link. The link is the credential (an
   * operator's download tool needs no session), so it is checked first and a
   * refused link says nothing about whether the batch exists. Streamed from
   * disk; nothing is read into memory.
   */
  async download(batchId: string, file: PrintBatchFile, expires: string, sig: string): Promise<PrintDownload> {
    const check = this.options.links.verify(batchId, file, expires, sig);
    if (check !== 'ok') return { outcome: 'forbidden', reason: check };
    const batch = await this.options.store.get(batchId);
    if (!batch) return { outcome: 'not-found', what: 'batch' };
    let handle;
    try {
      handle = await open(join(this.options.closer.dataDir, batch.directory, file), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'not-found', what: 'file' };
      throw error;
    }
    try {
      // Size and stream from one open file: a file replaced meanwhile cannot mismatch its length.
      const { size } = await handle.stat();
      return { outcome: 'ok', batch, size, stream: handle.createReadStream() };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  letters(batch: PrintBatchEntity, first: number, afterSequence: number): Promise<PrintLetterEntity[]> {
    if (!Number.isInteger(first) || first < 0 || first > 1000) throw badInput(`first: expected 0 to 1000, got ${first}`, 'first');
    return this.options.store.letters(batch.id, first, afterSequence);
  }

  /**
   * A letter came back undeliverable: its delivery becomes BOUNCED with the
   * reason ("returned mail: …"), which publishes the change and starts the
   * next channel of its chain, exactly as an email bounce does. Registering the
   * same letter again changes nothing.
   */
  async registerReturnedMail(deliveryId: string, reason: string, principal: Principal): Promise<DeliveryEntity> {
    this.require(REPORTERS, principal, 'registerReturnedMail');
    const text = reason.trim();
    if (text.length === 0 || text.length > MAX_REASON) throw badInput(`reason: expected 1 to ${MAX_REASON} characters, got ${text.length}`, 'reason');
    const { repository } = this.options.outcomes;
    const delivery = await repository.getDelivery(deliveryId);
    if (!delivery) throw notFound('Delivery', deliveryId);
    if (delivery.channel !== Channel.LETTER) throw badInput(`deliveryId: expected a LETTER delivery, got ${delivery.channel}`, 'deliveryId');
    if (delivery.status === DeliveryStatus.BOUNCED) return delivery;
    if (delivery.status !== DeliveryStatus.DELIVERED && delivery.status !== DeliveryStatus.SENT) {
      throw new AppError(ErrorCode.CONFLICT, `registerReturnedMail: expected a letter that was sent (SENT or DELIVERED), got ${delivery.status}`);
    }
    const { result } = await applyProviderOutcome(this.options.outcomes, { deliveryId, status: DeliveryStatus.BOUNCED, detail: `returned mail: ${text}` });
    return result.delivery;
  }

  private require(roles: ReadonlySet<string>, principal: Principal, operation: string): void {
    if (!roles.has(principal.role)) throw new AppError(ErrorCode.FORBIDDEN, `${operation}: expected one of ${[...roles].join(', ')}, got ${principal.role}`);
  }
}
