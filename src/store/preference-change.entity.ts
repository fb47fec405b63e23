import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PreferenceSource } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** One changed field of a customer's preferences: the audit trail (who, when, from where, old and new value, why). */
@Entity('preference_change')
@Index('IDX_preference_change_customer', ['customerId', 'createdAt', 'id'])
export class PreferenceChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  /** When the change was made (`PreferenceChange.at`). */
  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 20 })
  source!: PreferenceSource;

  /** The principal's subject, or the phone number an inbound keyword came from. */
  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 40 })
  field!: string;

  @Column({ type: 'text', nullable: true })
  fromValue!: string | null;

  @Column({ type: 'text', nullable: true })
  toValue!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;
}
