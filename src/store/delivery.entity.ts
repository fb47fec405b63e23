import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, VersionColumn } from 'typeorm';
import { Channel, DeliveryStatus } from '../domain';
import { CommunicationEntity } from './communication.entity';
import { DocumentEntity } from './document.entity';
import { epochMs } from './epoch-ms.transformer';

/** One attempt to reach the customer on one channel; a fallback is a new delivery pointing back at this one. */
@Entity('delivery')
@Index('IDX_delivery_communication', ['communicationId', 'ordinal'])
@Index('IDX_delivery_customer', ['customerId'])
@Index('IDX_delivery_provider_message', ['providerMessageId'])
@Index('IDX_delivery_created', ['createdAt'])
@Index('IDX_delivery_queued', ['queuedAt'])
@Index('IDX_delivery_escalates', ['escalatesAt'])
@Index('UQ_delivery_previous', ['previousDeliveryId'], { unique: true })
export class DeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  communicationId!: string;

  /** Declared for the foreign key only; never loaded. */
  @ManyToOne(() => CommunicationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'communicationId', foreignKeyConstraintName: 'FK_delivery_communication' })
  communication?: CommunicationEntity;

  /** Copied from the communication so subscriptions and authorization need no join. */
  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  /** Position within the communication: plan order, then fallbacks in creation order. */
  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ type: 'varchar', length: 10 })
  channel!: Channel;

  @Column({ type: 'varchar', length: 20 })
  status!: DeliveryStatus;

  /** The real address or number; masking is the API's job. */
  @Column({ type: 'text', nullable: true })
  recipient!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  providerMessageId!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The rest of the chain, tried in order after a permanent failure. */
  @Column({ type: 'simple-json' })
  fallbackChannels!: Channel[];

  @Column({ type: 'varchar', length: 36, nullable: true })
  previousDeliveryId!: string | null;

  /** Declared for the foreign key only; never loaded. */
  @ManyToOne(() => DeliveryEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'previousDeliveryId', foreignKeyConstraintName: 'FK_delivery_previous' })
  previousDelivery?: DeliveryEntity;

  @Column({ type: 'varchar', length: 36, nullable: true })
  documentId!: string | null;

  /** Declared for the foreign key only; never loaded. */
  @ManyToOne(() => DocumentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'documentId', foreignKeyConstraintName: 'FK_delivery_document' })
  document?: DocumentEntity;

  /**
   * The escalation deadline: when this delivery, if still unread, moves on to
   * the communication's escalation channels. Set when it first reaches the
   * customer; cleared when it is read or when it escalates.
   */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  escalatesAt!: Date | null;

  /** When it escalated, unread (the escalation's delivery points back here); null otherwise. */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  escalatedAt!: Date | null;

  /** Outbox marker for work added after the communication was queued (fallbacks, retries). */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  queuedAt!: Date | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: Date;

  @VersionColumn({ type: 'integer' })
  version!: number;
}
