import { In, type DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { DatabaseGate } from './database.gate';
import { PrintBatchEntity } from './print-batch.entity';
import { PrintLetterEntity } from './print-letter.entity';

/** Closed print batches and their letters in the gateway's store. */
export class PrintBatchRepository {
  private readonly gate: DatabaseGate;

  constructor(dataSource: DataSource) {
    this.gate = new DatabaseGate(dataSource);
  }

  /** The batch and its letters in one transaction: a letter is in one batch only (its delivery id is the key). */
  record(batch: PrintBatchEntity, letters: readonly PrintLetterEntity[]): Promise<void> {
    return this.gate.write(async (manager) => {
      await manager.insert(PrintBatchEntity, batch as QueryDeepPartialEntity<PrintBatchEntity>);
      for (let i = 0; i < letters.length; i += 100) {
        await manager.insert(PrintLetterEntity, letters.slice(i, i + 100) as QueryDeepPartialEntity<PrintLetterEntity>[]);
      }
    });
  }

  /** Which of these deliveries are already in a closed batch. */
  async batched(deliveryIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < deliveryIds.length; i += 500) {
      const rows = await this.gate.read((m) => m.find(PrintLetterEntity, { where: { deliveryId: In(deliveryIds.slice(i, i + 500)) }, select: { deliveryId: true } }));
      for (const row of rows) found.add(row.deliveryId);
    }
    return found;
  }

  get(id: string): Promise<PrintBatchEntity | null> {
    return this.gate.read((m) => m.findOneBy(PrintBatchEntity, { id }));
  }

  /** Newest first. */
  list(first: number): Promise<PrintBatchEntity[]> {
    return this.gate.read((m) => m.find(PrintBatchEntity, { order: { createdAt: 'DESC', id: 'DESC' }, take: first }));
  }

  /** Letters of a batch in print order, from `afterSequence` on. */
  letters(printBatchId: string, first: number, afterSequence = 0): Promise<PrintLetterEntity[]> {
    return this.gate.read((m) =>
      m
        .createQueryBuilder(PrintLetterEntity, 'l')
        .where('l.printBatchId = :printBatchId AND l.sequence > :afterSequence', { printBatchId, afterSequence })
        .orderBy('l.sequence', 'ASC')
        .limit(first)
        .getMany(),
    );
  }

  letterOf(deliveryId: string): Promise<PrintLetterEntity | null> {
    return this.gate.read((m) => m.findOneBy(PrintLetterEntity, { deliveryId }));
  }
}
