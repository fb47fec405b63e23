import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Channel, InteractionChannel } from '../domain';

/** The figures every slice of deliveryStats carries (a channel, a template, everything). */
@ObjectType()
export abstract class KpiFigures {
  @Field(() => Int, { description: 'Deliveries of the communications created in the window, fallbacks included.' })
  deliveries!: number;

  @Field(() => Int, { description: 'Deliveries that reached the customer: SENT, DELIVERED or READ.' })
  reached!: number;

  @Field(() => Int, { description: 'Deliveries READ, or with any engagement of kind OPENED, CLICKED, READ, DOWNLOADED or REPLIED.' })
  read!: number;

  @Field(() => Float, { nullable: true, description: 'Read deliveries among those that reached the customer ÷ `reached`; null when none reached the customer.' })
  readRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Median seconds from a read delivery's first SENT or DELIVERED timeline entry to its first engagement (linear interpolation, as percentile_cont); null without such a delivery.",
  })
  timeToReadMedianSeconds!: number | null;

  @Field(() => Float, { nullable: true, description: '90th percentile of the same durations; null without such a delivery.' })
  timeToReadP90Seconds!: number | null;

  @Field(() => Int, { description: 'Deliveries made because the previous one FAILED, BOUNCED or was SKIPPED (its channel is the fallback taken); an escalation\'s delivery is not one: the delivery before it reached the customer.' })
  fallbacks!: number;

  @Field(() => Int, { description: 'Deliveries that escalated unread (Delivery.escalatedAt set; the escalation delivery points back at them), counted on the channel that went unread.' })
  escalated!: number;

  @Field(() => Int, {
    description:
      'Communications whose plan, chain or escalation held LETTER that reached the customer on a digital channel with no LETTER delivery sent or on its way, ' +
      'none made by an escalation, and no escalation to LETTER still pending. ' +
      'Per channel: counted on each digital channel that reached the customer; the overall figure counts each communication once.',
  })
  lettersAvoided!: number;

  @Field(() => Int, { description: 'Deliveries the customer replied to (engagement REPLIED).' })
  replies!: number;
}

@ObjectType({ description: 'KPIs of all the deliveries in the window.' })
export class DeliveryKpi extends KpiFigures {}

@ObjectType({ description: 'KPIs of the deliveries on one channel.' })
export class ChannelKpi extends KpiFigures {
  @Field(() => Channel)
  channel!: Channel;
}

@ObjectType({ description: "KPIs of the deliveries of one template's communications." })
export class TemplateKpi extends KpiFigures {
  @Field(() => String)
  templateKey!: string;
}

@ObjectType()
export class InteractionChannelCount {
  @Field(() => InteractionChannel)
  channel!: InteractionChannel;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class InteractionReasonCount {
  @Field(() => String, { nullable: true, description: 'As recorded; null: interactions recorded without a reason.' })
  reason!: string | null;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Interactions (calls, visits, chats, inbound messages, notes) that occurred in the window.' })
export class InteractionStats {
  @Field(() => Int)
  total!: number;

  @Field(() => [InteractionChannelCount])
  byChannel!: InteractionChannelCount[];

  @Field(() => [InteractionReasonCount], { description: 'The 20 most frequent reasons, most frequent first.' })
  byReason!: InteractionReasonCount[];

  @Field(() => Int, { description: 'Interactions whose reason is not in `byReason`.' })
  otherReasons!: number;
}
