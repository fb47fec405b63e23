import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import type { Channel, ChannelPolicy, Priority } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** Where a bulk send's targets come from: a list stored in chunks, or a selection read through the connectors in pages. */
export interface BatchTarget {
  readonly kind: 'list' | 'selection';
  readonly productCode: string | null;
  /** The catalog ids of `productCode`, resolved once when the batch was recorded. */
  readonly productIds: readonly string[] | null;
  readonly contractStatus: string | null;
  readonly segment: string | null;
}

/**
 * One run of a bulk send. A batch key may be run again (a new row, `run` + 1):
 * its communications carry the idempotency key `<batchKey>:<customerId>`, so a
 * re-run only sends to the customers an earlier run did not reach.
 */
@Entity('bulk_batch')
@Index('UQ_bulk_batch_caller_key_run', ['callerId', 'batchKey', 'run'], { unique: true })
@Index('IDX_bulk_batch_status', ['status', 'updatedAt'])
@Index('IDX_bulk_batch_created', ['createdAt', 'id'])
export class BatchEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  callerId!: string;

  @Column({ type: 'varchar', length: 150 })
  batchKey!: string;

  @Column({ type: 'integer' })
  run!: number;

  @Column({ type: 'varchar', length: 100 })
  templateKey!: string;

  @Column({ type: 'varchar', length: 20 })
  channelPolicy!: ChannelPolicy;

  @Column({ type: 'simple-json', nullable: true })
  requestedChannels!: Channel[] | null;

  @Column({ type: 'simple-json' })
  data!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10 })
  priority!: Priority;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  scheduledAt!: Date | null;

  @Column({ type: 'simple-json' })
  target!: BatchTarget;

  /** A `BatchStatus`. */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** Targets known up front (the list's size); null for a selection until it has been read. */
  @Column({ type: 'integer', nullable: true })
  total!: number | null;

  /** The next chunk to expand: a replayed chunk job finds a smaller number and records nothing twice. */
  @Column({ type: 'integer', default: 0 })
  nextChunk!: number;

  /** Selection: the connector's cursor for the next page (null: from the start). */
  @Column({ type: 'text', nullable: true })
  cursor!: string | null;

  @Column({ type: 'integer', default: 0 })
  targeted!: number;

  @Column({ type: 'integer', default: 0 })
  created!: number;

  @Column({ type: 'integer', default: 0 })
  duplicates!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  /** When the previous run of the same key ended: communications older than that are an earlier run's. */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  previousRunEndedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: Date;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  expandedAt!: Date | null;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  endedAt!: Date | null;

  @VersionColumn({ type: 'integer' })
  version!: number;
}
