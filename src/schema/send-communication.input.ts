import { Field, ID, InputType, Int } from 'type-graphql';
import { AttachmentPassword, Channel, ChannelPolicy, Priority } from '../domain';
import { JSONScalar } from './scalars';

@InputType({ description: 'What to send to whom; the gateway collects the data and picks the channels.' })
export class SendCommunicationInput {
  @Field(() => ID)
  customerId!: string;

  @Field()
  templateKey!: string;

  @Field(() => ID, { nullable: true })
  contractId?: string | null;

  @Field(() => ChannelPolicy, { defaultValue: ChannelPolicy.PREFERRED, nullable: true })
  channelPolicy?: ChannelPolicy | null;

  @Field(() => [Channel], { nullable: true, description: 'Required with EXPLICIT; the fallback order with PREFERRED.' })
  channels?: Channel[] | null;

  @Field(() => JSONScalar, { nullable: true, description: 'Template variables beyond what the back-office provides.' })
  data?: unknown;

  @Field(() => Date, { nullable: true, description: 'Absent = now.' })
  scheduledAt?: Date | null;

  @Field(() => Priority, { defaultValue: Priority.NORMAL, nullable: true })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: 'Same key (per caller) = same communication, never a second send.' })
  idempotencyKey?: string | null;

  @Field(() => [EditedBlockInput], { nullable: true, description: "Text for the template's editable slots, each slot at most once." })
  blocks?: EditedBlockInput[] | null;

  @Field(() => EscalationInput, {
    nullable: true,
    description: '"Digital first, paper if unread": a delivery not read, clicked, downloaded or replied to within the window moves on to `then`. Absent: the template\'s default; null: none.',
  })
  escalation?: EscalationInput | null;

  @Field(() => AttachmentPassword, {
    nullable: true,
    description: "Send the email's PDF attachment encrypted (AES-256), with the password from the customer field ATTACHMENT_PASSWORD_FIELD names or made for this communication and sent by SMS. Absent: as the template says (a request adds protection, it never removes the template's).",
  })
  encryptAttachment?: AttachmentPassword | null;
}

@InputType({ description: 'Where an unread delivery moves on to, and after how long.' })
export class EscalationInput {
  @Field(() => Int, { description: 'Seconds from the moment a delivery first reaches the customer; at least 60 in production, at most 90 days.' })
  unreadAfterSeconds!: number;

  @Field(() => [Channel], { description: "Channels of the template, each once, in order (typically [LETTER]); not all of the plan's." })
  then!: Channel[];
}

@InputType({ description: "An agent's text for one of the template's editable slots." })
export class EditedBlockInput {
  @Field({ description: 'One of Template.editableBlocks.' })
  slot!: string;

  @Field({ description: 'Plain text (no markup, shown as written); paragraphs separated by a blank line; at most 2000 characters.' })
  text!: string;
}
