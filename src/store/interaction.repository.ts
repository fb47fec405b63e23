import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Direction, InteractionChannel } from '../domain';
import { ContactHistoryQueries, type ContactHistoryPage, type ContactHistoryRequest } from './contact-history.queries';
import { DatabaseGate, isUniqueViolation } from './database.gate';
import { InteractionEntity } from './interaction.entity';

export interface NewInteraction {
  readonly callerId: string;
  readonly externalId: string | null;
  readonly customerId: string;
  readonly channel: InteractionChannel;
  readonly direction: Direction;
  readonly occurredAt: Date;
  readonly reason: string | null;
  readonly summary: string | null;
  readonly agentId: string | null;
  readonly relatedCommunicationId: string | null;
  readonly internal: boolean;
}

/** Interactions and the contact history they share with communications. */
export class InteractionRepository {
  private readonly gate: DatabaseGate;
  private readonly history: ContactHistoryQueries;

  constructor(dataSource: DataSource) {
    this.gate = new DatabaseGate(dataSource);
    this.history = new ContactHistoryQueries(this.gate);
  }

  /**
   * Writes the interaction once per (callerId, externalId): a repeat answers the
   * first one (`created: false`), also when two requests race, since the unique
   * index decides.
   */
  async record(input: NewInteraction): Promise<{ readonly interaction: InteractionEntity; readonly created: boolean }> {
    if (input.externalId !== null) {
      const existing = await this.findByExternalId(input.callerId, input.externalId);
      if (existing) return { interaction: existing, created: false };
    }
    const row: InteractionEntity = Object.assign(new InteractionEntity(), { ...input, id: randomUUID(), createdAt: new Date() });
    try {
      await this.gate.write((manager) => manager.insert(InteractionEntity, row));
    } catch (error) {
      if (input.externalId === null || !isUniqueViolation(error)) throw error;
      const winner = await this.findByExternalId(input.callerId, input.externalId);
      if (!winner) throw error;
      return { interaction: winner, created: false };
    }
    return { interaction: row, created: true };
  }

  getMany(ids: readonly string[]): Promise<(InteractionEntity | null)[]> {
    return this.gate.read(async (manager) => {
      const rows = ids.length ? await manager.createQueryBuilder(InteractionEntity, 'i').where('i.id IN (:...ids)', { ids: [...new Set(ids)] }).getMany() : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  async get(id: string): Promise<InteractionEntity | null> {
    return (await this.getMany([id]))[0];
  }

  contactHistory(request: ContactHistoryRequest): Promise<ContactHistoryPage> {
    return this.history.page(request);
  }

  private findByExternalId(callerId: string, externalId: string): Promise<InteractionEntity | null> {
    return this.gate.read((manager) => manager.findOne(InteractionEntity, { where: { callerId, externalId } }));
  }
}
