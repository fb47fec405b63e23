import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Channel } from '../domain';
import { epochMs } from './epoch-ms.transformer';

/** A message a customer (or an unknown number) sent us over SMS or WhatsApp, kept once per provider message id. */
@Entity('inbound_message')
@Index('UQ_inbound_message_provider', ['providerMessageId'], { unique: true })
@Index('IDX_inbound_message_customer', ['customerId', 'createdAt', 'id'])
export class InboundMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Twilio's MessageSid: a redelivered webhook finds it and changes nothing. */
  @Column({ type: 'varchar', length: 64 })
  providerMessageId!: string;

  @Column({ type: 'varchar', length: 10 })
  channel!: Channel;

  /** E.164 number of the sender. */
  @Column({ type: 'varchar', length: 40 })
  sender!: string;

  /** Null: no customer has that number. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  customerId!: string | null;

  /** The last delivery sent to that number on that channel, which this answers. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  inReplyToDeliveryId!: string | null;

  /** STOP, START, HELP or MESSAGE (any other text). */
  @Column({ type: 'varchar', length: 10 })
  kind!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
