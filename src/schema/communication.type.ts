import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AttachmentPassword, Channel, CommunicationStatus, DeliveryStatus, Priority } from '../domain';
import type { KpiReport } from '../services/kpi.report';
import { ChannelKpi, DeliveryKpi, InteractionStats, TemplateKpi } from './delivery-kpi.type';
import { Connection } from './page-info.type';

@ObjectType({ description: 'One entry of a delivery timeline.' })
export class DeliveryEvent {
  @Field(() => Date, { description: 'With milliseconds.' })
  at!: Date;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => String, { nullable: true })
  detail!: string | null;
}

@ObjectType({ description: 'A communication on one channel: a fallback to another channel is a new delivery.' })
export class Delivery {
  @Field(() => ID)
  id!: string;

  @Field(() => Channel)
  channel!: Channel;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => String, { nullable: true, description: 'Email address, E.164 number, postal summary or portal account.' })
  recipient!: string | null;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  providerMessageId!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => [Channel], { description: 'Channels still to try, in order, if this one fails for good.' })
  fallbackChannels!: Channel[];

  @Field(() => Date, { nullable: true, description: "When it moves on to the communication's escalation channels if still unread; null: no escalation pending (none asked, read, or escalated)." })
  escalatesAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it escalated, unread: the escalation delivery follows it in the communication.' })
  escalatedAt!: Date | null;
}

@ObjectType({ description: "An agent's text in one of the template's editable slots, as the request gave it." })
export class EditedBlock {
  @Field({ description: 'One of Template.editableBlocks.' })
  slot!: string;

  @Field({ description: 'Plain text, paragraphs separated by a blank line.' })
  text!: string;
}

@ObjectType('Escalation', { description: '"Digital first, paper if unread": where an unread delivery moves on to, and when.' })
export class EscalationType {
  @Field(() => Int, { description: 'Counted from the moment a delivery first reaches the customer (SENT or DELIVERED).' })
  unreadAfterSeconds!: number;

  @Field(() => [Channel], { description: 'In order: the first that reaches the customer then, the rest its fallbacks.' })
  then!: readonly Channel[];
}

@ObjectType({ description: 'An archived document: stored once, content-addressed by its SHA-256.' })
export class Document {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The template key.' })
  kind!: string;

  @Field()
  mimeType!: string;

  @Field(() => Int, { nullable: true })
  pages!: number | null;

  @Field(() => Int)
  sizeBytes!: number;

  @Field()
  sha256!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType({ description: 'A request to tell a customer something, and what became of it.' })
export class Communication {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => ID, { nullable: true })
  contractId!: string | null;

  @Field()
  templateKey!: string;

  @Field(() => Int, { description: 'The template version it was composed from (1: the files in templates/).' })
  templateVersion!: number;

  @Field(() => AttachmentPassword, { nullable: true, description: 'The encrypted attachment the request asked for (its password source); null: as the template says.' })
  attachmentPassword!: AttachmentPassword | null;

  @Field(() => EscalationType, { nullable: true, description: "The request's escalation, or the template's default; null: none." })
  escalation!: EscalationType | null;

  @Field(() => CommunicationStatus)
  status!: CommunicationStatus;

  @Field(() => Priority)
  priority!: Priority;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  scheduledAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who approved it (principal subject), when it waited for approval; null otherwise.' })
  approvedBy!: string | null;

  @Field(() => Date, { nullable: true })
  approvedAt!: Date | null;
}

@ObjectType()
export class CommunicationConnection extends Connection('Communication', Communication) {}

@ObjectType()
export class DocumentConnection extends Connection('Document', Document) {}

@ObjectType()
export class ChannelStat {
  @Field(() => Channel)
  channel!: Channel;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class DeliveryStats {
  @Field(() => Int, { description: 'Deliveries created in the window.' })
  total!: number;

  @Field(() => [ChannelStat], { description: 'Deliveries created in the window, by channel and status.' })
  byChannel!: ChannelStat[];

  @Field(() => DeliveryKpi, { description: 'KPIs of the communications created in the window, all channels and templates.' })
  overall!: DeliveryKpi;

  @Field(() => [ChannelKpi], { description: 'KPIs of the communications created in the window, per channel of their deliveries.' })
  channels!: ChannelKpi[];

  @Field(() => [TemplateKpi], { description: 'KPIs of the communications created in the window, per template.' })
  byTemplate!: TemplateKpi[];

  @Field(() => InteractionStats, { description: 'Interactions that occurred in the window.' })
  interactions!: InteractionStats;

  @Field(() => Boolean, { description: 'true: over 100,000 read deliveries in the window; the time-to-read percentiles are of the newest communications\' 100,000.' })
  timeToReadCapped!: boolean;

  /** Reads the KPIs once per request, when a KPI field is asked for; not a field. */
  report!: () => Promise<KpiReport>;
}
