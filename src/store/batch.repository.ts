import { randomUUID } from 'node:crypto';
import { In, IsNull, type DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { DeliveryStatus } from '../domain';
import { BatchMemberEntity } from './batch-member.entity';
import { BatchTargetChunkEntity } from './batch-target.entity';
import { BatchEntity } from './batch.entity';
import { CommunicationEntity } from './communication.entity';
import type { Page } from '../connectors/backoffice';
import { DatabaseGate, isUniqueViolation } from './database.gate';
import { RowSql } from './row.sql';
import { pageNewestFirst } from './page.cursor';
import { ACTIVE_BATCH, BatchStatus } from '../store/batch-status';

export type NewBatch = Omit<BatchEntity, 'id' | 'run' | 'status' | 'total' | 'nextChunk' | 'cursor' | 'targeted' | 'created' | 'duplicates' | 'rejected' | 'previousRunEndedAt' | 'error' | 'createdAt' | 'updatedAt' | 'expandedAt' | 'endedAt' | 'version'>;

export interface MemberRow {
  readonly customerId: string;
  readonly outcome: 'created' | 'duplicate' | 'rejected';
  readonly communicationId: string | null;
  readonly reason: string | null;
}

export interface ChunkRecord {
  readonly members: readonly MemberRow[];
  /** Targets read in this chunk (a selection's page may hold customers that are not targets). */
  readonly targeted: number;
  readonly cursor: string | null;
  /** The last chunk: the batch becomes RUNNING. */
  readonly last: boolean;
}

/** Rows per INSERT: far below both databases' parameter limits. */
const INSERT_SLICE = 100;

/** Batch runs, their listed targets and members, over the gateway's store. */
export class BatchRepository {
  private readonly gate: DatabaseGate;

  constructor(dataSource: DataSource, private readonly clock: () => Date = () => new Date()) {
    this.gate = new DatabaseGate(dataSource);
  }

  /**
   * A new run of (caller, key) with its listed targets, in one transaction; or
   * the run already going on for that key (`created: false`): one expansion at a time.
   */
  async createRun(input: NewBatch, list: { readonly chunks: readonly (readonly string[])[]; readonly total: number } | null): Promise<{ batch: BatchEntity; created: boolean }> {
    const attempt = () =>
      this.gate.write(async (manager) => {
        const latest = await manager.findOne(BatchEntity, { where: { callerId: input.callerId, batchKey: input.batchKey }, order: { run: 'DESC' } });
        if (latest && (ACTIVE_BATCH as string[]).includes(latest.status)) return { batch: latest, created: false };
        const now = this.clock();
        const batch = Object.assign(new BatchEntity(), {
          ...input,
          id: randomUUID(),
          run: (latest?.run ?? 0) + 1,
          status: BatchStatus.EXPANDING,
          total: list ? list.total : null,
          nextChunk: 0,
          cursor: null,
          targeted: 0,
          created: 0,
          duplicates: 0,
          rejected: 0,
          previousRunEndedAt: latest ? (latest.endedAt ?? latest.updatedAt) : null,
          error: null,
          createdAt: now,
          updatedAt: now,
          expandedAt: null,
          endedAt: null,
          version: 1,
        });
        await manager.insert(BatchEntity, batch as QueryDeepPartialEntity<BatchEntity>);
        for (const [chunk, customerIds] of (list?.chunks ?? []).entries()) {
          await manager.insert(BatchTargetChunkEntity, { batchId: batch.id, chunk, customerIds: [...customerIds] });
        }
        return { batch, created: true };
      });
    try {
      return await attempt();
    } catch (error) {
      // Two runs of one key started at once: the loser finds the winner's.
      if (isUniqueViolation(error)) return attempt();
      throw error;
    }
  }

  /** Runs newest first, keyset-paged (IDX_bulk_batch_created); `callerId` narrows to one caller's runs. */
  list(request: { readonly callerId: string | null; readonly status: BatchStatus | null; readonly first: number; readonly after?: string | null }): Promise<Page<BatchEntity>> {
    return this.gate.read((manager) => {
      const query = manager.createQueryBuilder(BatchEntity, 'b');
      if (request.callerId !== null) query.andWhere('b.callerId = :callerId', { callerId: request.callerId });
      if (request.status !== null) query.andWhere('b.status = :status', { status: request.status });
      return pageNewestFirst(query, 'b', request);
    });
  }

  get(id: string): Promise<BatchEntity | null> {
    return this.gate.read((m) => m.findOneBy(BatchEntity, { id }));
  }

  /** Listed targets of one chunk; null past the last one. */
  async listChunk(batchId: string, chunk: number): Promise<string[] | null> {
    const row = await this.gate.read((m) => m.findOneBy(BatchTargetChunkEntity, { batchId, chunk }));
    return row?.customerIds ?? null;
  }

  /**
   * Records one expanded chunk: its members and counts, the cursor, and RUNNING
   * after the last chunk. Guarded by `nextChunk`, so a replayed chunk records
   * nothing twice (`recorded: false`). Recorded even when the batch was
   * cancelled meanwhile, so the cancellation finds these communications.
   */
  recordChunk(batchId: string, chunk: number, record: ChunkRecord): Promise<{ recorded: boolean; batch: BatchEntity | null }> {
    return this.gate.write(async (manager) => {
      const batch = await this.gate.forUpdate(manager.createQueryBuilder(BatchEntity, 'b').where('b.id = :id', { id: batchId })).getOne();
      if (!batch || batch.nextChunk !== chunk) return { recorded: false, batch };
      for (let i = 0; i < record.members.length; i += INSERT_SLICE) {
        const rows = record.members.slice(i, i + INSERT_SLICE).map((m) => ({ batchId, ...m }));
        await manager.createQueryBuilder().insert().into(BatchMemberEntity).values(rows).orIgnore().execute();
      }
      const count = (outcome: MemberRow['outcome']): number => record.members.filter((m) => m.outcome === outcome).length;
      const now = this.clock();
      const changes: Partial<BatchEntity> = {
        nextChunk: chunk + 1,
        cursor: record.cursor,
        targeted: batch.targeted + record.targeted,
        created: batch.created + count('created'),
        duplicates: batch.duplicates + count('duplicate'),
        rejected: batch.rejected + count('rejected'),
        updatedAt: now,
      };
      if (record.last) {
        changes.expandedAt = now;
        if (batch.total === null) changes.total = changes.targeted;
        if (batch.status === BatchStatus.EXPANDING) changes.status = BatchStatus.RUNNING;
      }
      // The version column grows by itself with every update.
      await manager.update(BatchEntity, { id: batchId }, changes as QueryDeepPartialEntity<BatchEntity>);
      return { recorded: true, batch: Object.assign(batch, changes, { version: batch.version + 1 }) };
    });
  }

  /** Moves a batch on when it is in one of `from`; false when it was not (someone else moved it). */
  async setStatus(id: string, from: readonly BatchStatus[], to: BatchStatus, error: string | null = null): Promise<boolean> {
    const now = this.clock();
    const ended = to === BatchStatus.COMPLETED || to === BatchStatus.CANCELLED || to === BatchStatus.FAILED;
    const result = await this.gate.write((manager) =>
      manager.update(BatchEntity, { id, status: In([...from]) }, { status: to, updatedAt: now, ...(ended ? { endedAt: now } : {}), ...(error ? { error: error.slice(0, 1000) } : {}) }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Runs still going on, oldest first. */
  active(limit: number): Promise<BatchEntity[]> {
    return this.gate.read((m) => m.find(BatchEntity, { where: { status: In([...ACTIVE_BATCH]) }, order: { createdAt: 'ASC' }, take: limit }));
  }

  /** The communications a run created, keyset-paged by customer id (for cancellation). */
  async createdMembers(batchId: string, afterCustomerId: string | null, limit: number): Promise<{ customerId: string; communicationId: string }[]> {
    const rows = await this.gate.read((m) => {
      const query = m
        .createQueryBuilder(BatchMemberEntity, 'm')
        .where('m.batchId = :batchId AND m.outcome = :created', { batchId, created: 'created' })
        .orderBy('m.customerId', 'ASC')
        .limit(limit);
      if (afterCustomerId) query.andWhere('m.customerId > :after', { after: afterCustomerId });
      return query.getMany();
    });
    return rows.flatMap((row) => (row.communicationId ? [{ customerId: row.customerId, communicationId: row.communicationId }] : []));
  }

  /** Rejected targets with their reasons, keyset-paged by customer id. */
  rejections(batchId: string, afterCustomerId: string | null, limit: number): Promise<BatchMemberEntity[]> {
    return this.gate.read((m) => {
      const query = m
        .createQueryBuilder(BatchMemberEntity, 'm')
        .where('m.batchId = :batchId AND m.outcome = :rejected', { batchId, rejected: 'rejected' })
        .orderBy('m.customerId', 'ASC')
        .limit(limit);
      if (afterCustomerId) query.andWhere('m.customerId > :after', { after: afterCustomerId });
      return query.getMany();
    });
  }

  /**
   * Outbox mark for many communications at once (what `repository.markQueued`
   * does for one): their render jobs are in the queue.
   */
  markQueued(communicationIds: readonly string[]): Promise<void> {
    if (communicationIds.length === 0) return Promise.resolve();
    return this.gate.write(async (manager) => {
      const now = this.clock();
      for (let i = 0; i < communicationIds.length; i += 500) {
        const ids = communicationIds.slice(i, i + 500);
        await manager.update(CommunicationEntity, { id: In(ids), queuedAt: IsNull() }, { queuedAt: now });
        // Hand-written: TypeORM's updates add 1 to the version, which a delivery's mark must not (see OutboxQueries).
        const sql = new RowSql(this.gate.isSqlite);
        const list = ids.map((_, n) => sql.p(n + 3)).join(', ');
        await sql.changes(manager, `UPDATE "delivery" SET "queuedAt" = ${sql.p(1)} WHERE "queuedAt" IS NULL AND "status" = ${sql.p(2)} AND "communicationId" IN (${list})`, [sql.value(now), DeliveryStatus.PENDING, ...ids]);
      }
    });
  }
}
