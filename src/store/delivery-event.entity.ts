import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeliveryStatus } from '../domain';
import { DeliveryEntity } from './delivery.entity';
import { epochMs } from './epoch-ms.transformer';

/** One entry of a delivery's timeline; `seq` orders it, `at` says when. */
@Entity('delivery_event')
@Index('UQ_delivery_event_seq', ['deliveryId', 'seq'], { unique: true })
export class DeliveryEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  deliveryId!: string;

  /** Declared for the foreign key only; never loaded. */
  @ManyToOne(() => DeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deliveryId', foreignKeyConstraintName: 'FK_delivery_event_delivery' })
  delivery?: DeliveryEntity;

  /** 1, 2, 3… per delivery, without gaps. */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'bigint', transformer: epochMs })
  at!: Date;

  @Column({ type: 'varchar', length: 20 })
  status!: DeliveryStatus;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;
}
