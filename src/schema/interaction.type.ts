import { createUnionType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Direction, InteractionChannel } from '../domain';
import { InteractionEntity } from '../store/interaction.entity';
import { Communication } from './communication.type';
import { PageInfo } from './page-info.type';

@ObjectType({ description: 'A contact the gateway did not send: a call, a branch visit, a chat, an inbound message.' })
export class Interaction {
  @Field(() => ID)
  id!: string;

  @Field(() => InteractionChannel)
  channel!: InteractionChannel;

  @Field(() => Direction)
  direction!: Direction;

  @Field(() => Date, { description: 'When it happened; its place in the contact history.' })
  occurredAt!: Date;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;

  @Field(() => String, { nullable: true })
  agentId!: string | null;

  @Field(() => String, { nullable: true, description: "The recording system's own id; unique per caller." })
  externalId!: string | null;

  @Field({ description: 'A note for staff only: never in the customer\'s (portal) view.' })
  internal!: boolean;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType()
export class RecordInteractionInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => InteractionChannel)
  channel!: InteractionChannel;

  @Field(() => Direction, { defaultValue: Direction.INBOUND, nullable: true })
  direction?: Direction | null;

  @Field(() => Date, { nullable: true, description: 'Absent = now; never in the future.' })
  occurredAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'At most 200 characters.' })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 4,000 characters.' })
  summary?: string | null;

  @Field(() => String, { nullable: true })
  agentId?: string | null;

  @Field(() => String, { nullable: true, description: 'Same id (per caller) = the same interaction, never a second one.' })
  externalId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A communication of the same customer this contact was about.' })
  relatedCommunicationId?: string | null;

  @Field(() => Boolean, { defaultValue: false, nullable: true, description: 'A staff note: hidden from the customer.' })
  internal?: boolean | null;
}

export const ContactHistoryEntry = createUnionType({
  name: 'ContactHistoryEntry',
  description: 'One entry of the contact history: something sent (Communication) or something that happened (Interaction).',
  types: () => [Communication, Interaction] as const,
  resolveType: (value) => (value instanceof InteractionEntity ? Interaction : Communication),
});

@ObjectType()
export class ContactHistoryEdge {
  @Field({ description: 'Pass as `after` to continue after this entry.' })
  cursor!: string;

  @Field(() => ContactHistoryEntry)
  node!: typeof ContactHistoryEntry;
}

@ObjectType()
export class ContactHistoryConnection {
  @Field(() => [ContactHistoryEdge])
  edges!: ContactHistoryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'All entries matching the filters, not only this page.' })
  totalCount!: number;
}
