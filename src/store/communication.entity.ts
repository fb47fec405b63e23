import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import { type AttachmentPassword, Channel, ChannelPolicy, CommunicationStatus, Priority, type Escalation } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** One communication request: what to say to which customer, and on which channels it may go out. */
@Entity('communication')
@Index('UQ_communication_caller_idempotency', ['callerId', 'idempotencyKey'], { unique: true })
@Index('IDX_communication_customer_created', ['customerId', 'createdAt', 'id'])
@Index('IDX_communication_status_created', ['status', 'createdAt', 'id'])
@Index('IDX_communication_created', ['createdAt', 'id'])
@Index('IDX_communication_queued', ['queuedAt'])
export class CommunicationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The principal that asked for it; idempotency keys are scoped to it. */
  @Column({ type: 'varchar', length: 200 })
  callerId!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  contractId!: string | null;

  @Column({ type: 'varchar', length: 100 })
  templateKey!: string;

  @Column({ type: 'varchar', length: 20 })
  channelPolicy!: ChannelPolicy;

  /** The channels as the caller gave them (null when the policy chose). */
  @Column({ type: 'simple-json', nullable: true })
  requestedChannels!: Channel[] | null;

  /** Template variables from the request, beyond what the back-office provides. */
  @Column({ type: 'simple-json' })
  data!: Record<string, unknown>;

  /** Text an agent wrote into the template's editable slots, by slot (checked, normalised); null when none. */
  @Column({ type: 'simple-json', nullable: true })
  blocks!: Record<string, string> | null;

  /** The template version it is composed from (1: the files in templates/). */
  @Column({ type: 'integer', default: 1 })
  templateVersion!: number;

  @Column({ type: 'varchar', length: 10 })
  priority!: Priority;

  @Column({ type: 'varchar', length: 20 })
  status!: CommunicationStatus;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  scheduledAt!: Date | null;

  /** Who approved it (principal subject) and when; null unless it waited for approval and was approved. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  approvedBy!: string | null;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  approvedAt!: Date | null;

  /** The request asked for an encrypted email attachment, with the password from here; null: as the template says. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  attachmentPassword!: AttachmentPassword | null;

  /** "Digital first, paper if unread": where an unread delivery moves on to, and after how long; null: no escalation. */
  @Column({ type: 'simple-json', nullable: true })
  escalation!: Escalation | null;

  /** Outbox marker: null until the render job has been handed to the queue. */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  queuedAt!: Date | null;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt!: Date;

  /** Grows with every update: lets subscribers drop an event older than what they already have. */
  @VersionColumn({ type: 'integer' })
  version!: number;
}
