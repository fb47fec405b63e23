import { Field, ID, InputType } from 'type-graphql';
import { Channel, ChannelPolicy, ContractStatus, Priority } from '../domain';
import { JSONScalar } from './scalars';

@InputType({ description: 'Who a bulk send goes to: listed customers, or a selection read from the back-office in pages. Filters narrow either.' })
export class BulkTargetInput {
  @Field(() => [ID], { nullable: true, description: 'Up to 100,000 customer ids (repeats count once).' })
  customerIds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Customers holding a contract for this product code; that contract is the one the communication is about.' })
  productCode?: string | null;

  @Field(() => ContractStatus, { nullable: true, description: 'Only contracts in this status.' })
  contractStatus?: ContractStatus | null;

  @Field(() => String, { nullable: true, description: 'Only customers of this segment, e.g. "retail".' })
  segment?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Every customer of the CRM (narrowed by the filters): must be said explicitly.' })
  allCustomers?: boolean | null;
}

@InputType({ description: 'One template to many customers; each gets a communication of its own, planned by the channel policy.' })
export class SendBulkCommunicationInput {
  @Field()
  templateKey!: string;

  @Field(() => BulkTargetInput)
  target!: BulkTargetInput;

  @Field(() => ChannelPolicy, { defaultValue: ChannelPolicy.PREFERRED, nullable: true })
  channelPolicy?: ChannelPolicy | null;

  @Field(() => [Channel], { nullable: true, description: 'Required with EXPLICIT; the fallback order with PREFERRED.' })
  channels?: Channel[] | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Template variables, the same for every customer.' })
  data?: unknown;

  @Field(() => Date, { nullable: true, description: 'Absent = now.' })
  scheduledAt?: Date | null;

  @Field(() => Priority, { defaultValue: Priority.LOW, nullable: true, description: 'Default LOW: single sends of the front office go first.' })
  priority?: Priority | null;

  @Field(() => String, {
    nullable: true,
    description: 'Same key (per caller) = each customer reached at most once: a re-run sends only to whom earlier runs did not reach. Absent: a fresh key.',
  })
  batchKey?: string | null;
}
