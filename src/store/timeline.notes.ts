import { randomUUID } from 'node:crypto';
import { In, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { CommunicationEntity } from './communication.entity';
import type { DatabaseGate } from './database.gate';
import { DeliveryEventEntity } from './delivery-event.entity';
import { DeliveryEntity } from './delivery.entity';

export interface TimelineNote {
  readonly deliveryId: string;
  /** The entry's text, e.g. "printed in batch …, sequence 12"; also what makes a repeat recognisable. */
  readonly detail: string;
}

/** Deliveries per transaction: keeps IN lists under every driver's parameter limit and locks short. */
const CHUNK = 500;
/** Event rows per INSERT statement (6 parameters each). */
const INSERT_ROWS = 100;

/**
 * Timeline entries that record something that happened to a delivery without
 * changing its status (a letter put into a print batch). Each entry carries
 * the delivery's current status. Idempotent per (delivery, detail): a closing
 * retried after a crash does not write the entry twice. Unknown delivery ids
 * are skipped. Locks as `DeliveryLifecycle` does — communications first (in
 * id order, so two note writers cannot deadlock either), then the deliveries —
 * which makes the sequence numbers safe against a concurrent status change.
 */
export class TimelineNotes {
  constructor(
    private readonly gate: DatabaseGate,
    private readonly clock: () => Date,
  ) {}

  /** The number of entries written. */
  async add(notes: readonly TimelineNote[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < notes.length; i += CHUNK) {
      const chunk = notes.slice(i, i + CHUNK);
      written += await this.gate.write((manager) => this.addChunk(manager, chunk));
    }
    return written;
  }

  private async addChunk(manager: EntityManager, notes: readonly TimelineNote[]): Promise<number> {
    const ids = [...new Set(notes.map((n) => n.deliveryId))];
    const owners = manager
      .createQueryBuilder(CommunicationEntity, 'c')
      .select('c.id')
      .where((qb) => `c.id IN ${qb.subQuery().select('d.communicationId').from(DeliveryEntity, 'd').where('d.id IN (:...ids)').getQuery()}`, { ids })
      .orderBy('c.id', 'ASC');
    await this.gate.forUpdate(owners).getMany();
    const deliveries = await this.gate
      .forUpdate(manager.createQueryBuilder(DeliveryEntity, 'd').select(['d.id', 'd.status']).where('d.id IN (:...ids)', { ids }).orderBy('d.id', 'ASC'))
      .getMany();
    const status = new Map(deliveries.map((d) => [d.id, d.status]));
    const events = await manager.find(DeliveryEventEntity, { where: { deliveryId: In([...status.keys()]) }, select: { deliveryId: true, seq: true, detail: true } });
    const lastSeq = new Map<string, number>();
    const seen = new Set<string>();
    for (const event of events) {
      lastSeq.set(event.deliveryId, Math.max(lastSeq.get(event.deliveryId) ?? 0, event.seq));
      if (event.detail !== null) seen.add(`${event.deliveryId}\n${event.detail}`);
    }
    const at = this.clock();
    const rows: DeliveryEventEntity[] = [];
    for (const note of notes) {
      const current = status.get(note.deliveryId);
      const key = `${note.deliveryId}\n${note.detail}`;
      if (current === undefined || seen.has(key)) continue;
      seen.add(key);
      const seq = (lastSeq.get(note.deliveryId) ?? 0) + 1;
      lastSeq.set(note.deliveryId, seq);
      rows.push(Object.assign(new DeliveryEventEntity(), { id: randomUUID(), deliveryId: note.deliveryId, seq, at, status: current, detail: note.detail }));
    }
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      await manager.createQueryBuilder().insert().into(DeliveryEventEntity).values(rows.slice(i, i + INSERT_ROWS) as QueryDeepPartialEntity<DeliveryEventEntity>[]).updateEntity(false).execute();
    }
    return rows.length;
  }
}
