import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What became of one target of a batch run: a communication, an earlier run's, or a refusal with its reason. */
@Entity('bulk_batch_member')
@Index('IDX_bulk_batch_member_outcome', ['batchId', 'outcome'])
export class BatchMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  batchId!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  customerId!: string;

  /** `created`, `duplicate` or `rejected`. */
  @Column({ type: 'varchar', length: 10 })
  outcome!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  communicationId!: string | null;

  /** Why a target was rejected (our own words, no personal data). */
  @Column({ type: 'varchar', length: 300, nullable: true })
  reason!: string | null;
}
