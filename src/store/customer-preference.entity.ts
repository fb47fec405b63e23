import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PreferenceSource } from '../domain';
import type { PreferenceValues, UnusableAddresses } from '../preferences/preference.values';
import { epochMs } from './epoch-ms.transformer';

/**
 * The gateway's overlay on the CRM's preferences of one customer: only the
 * fields changed through the gateway, each winning over the CRM's value, and
 * the addresses found unusable (by a hash, so a new address from the CRM is
 * usable again).
 */
@Entity('customer_preference')
export class CustomerPreferenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  customerId!: string;

  @Column({ type: 'simple-json' })
  values!: PreferenceValues;

  @Column({ type: 'simple-json' })
  unusable!: UnusableAddresses;

  /**
   * The customer's tracking choice (`values.tracking` as the rest of the
   * gateway reads it); null: never chosen. Kept out of `values`, which the
   * write-through sends to the CRM: this setting is the gateway's own.
   */
  @Column({ type: 'boolean', nullable: true })
  tracking!: boolean | null;

  /** Source of the last change. */
  @Column({ type: 'varchar', length: 20 })
  source!: PreferenceSource;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: Date;

  /** 1, 2, 3… per change; the write-through job id carries it. */
  @Column({ type: 'integer' })
  version!: number;

  /** The last version the CRM accepted; below `version` while a write-through is pending. */
  @Column({ type: 'integer', default: 0 })
  syncedVersion!: number;
}
