import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A listed bulk target, stored in chunks so that expansion reads one chunk at a time. */
@Entity('bulk_batch_target')
export class BatchTargetChunkEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  batchId!: string;

  @PrimaryColumn({ type: 'integer' })
  chunk!: number;

  @Column({ type: 'simple-json' })
  customerIds!: string[];
}
