import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Direction, InteractionChannel } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** A contact the gateway did not send: a call, a branch visit, a chat, an inbound message. */
@Entity('interaction')
@Index('UQ_interaction_caller_external', ['callerId', 'externalId'], { unique: true })
@Index('IDX_interaction_customer_occurred', ['customerId', 'occurredAt', 'id'])
@Index('IDX_interaction_occurred', ['occurredAt'])
export class InteractionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Who recorded it; `externalId` is unique per caller (NULLs never collide). */
  @Column({ type: 'varchar', length: 200 })
  callerId!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  @Column({ type: 'varchar', length: 20 })
  channel!: InteractionChannel;

  @Column({ type: 'varchar', length: 10 })
  direction!: Direction;

  /** Its place in the contact history (a call recorded after it ended keeps the time it happened). */
  @Column({ type: 'bigint', transformer: epochMs })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason!: string | null;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  agentId!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  relatedCommunicationId!: string | null;

  /** An agent's note for colleagues: never shown to the customer (portal). */
  @Column({ type: 'boolean' })
  internal!: boolean;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
