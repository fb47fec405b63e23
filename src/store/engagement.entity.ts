import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EngagementKind } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** One thing the recipient did with a delivery (opened, clicked, read, …): at most one row per (delivery, kind). */
@Entity('engagement')
@Index('UQ_engagement_delivery_kind', ['deliveryId', 'kind'], { unique: true })
export class EngagementEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  deliveryId!: string;

  /** Copied from the delivery, for per-customer figures without a join. */
  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: EngagementKind;

  @Column({ type: 'bigint', transformer: epochMs })
  at!: Date;

  /** What was engaged with, without personal data: "view online", a link's host, "portal". */
  @Column({ type: 'varchar', length: 200, nullable: true })
  detail!: string | null;

  /** This signal moved the delivery to READ: its `at` is the delivery's readAt. */
  @Column({ type: 'boolean' })
  madeRead!: boolean;
}
