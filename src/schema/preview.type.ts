import { Field, Int, ObjectType } from 'type-graphql';
import { Channel } from '../domain';

@ObjectType({ description: 'One channel of a previewed communication, rendered by that channel exactly as a send would.' })
export class Preview {
  @Field(() => Channel)
  channel!: Channel;

  @Field(() => String, { nullable: true, description: 'Email subject.' })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: 'Email text part, SMS or WhatsApp body, portal notification.' })
  text!: string | null;

  @Field(() => String, { nullable: true, description: 'Email HTML part.' })
  html!: string | null;

  @Field(() => Int, { nullable: true })
  smsSegments!: number | null;

  @Field(() => Int, { nullable: true })
  pdfPages!: number | null;

  @Field(() => String, { nullable: true, description: 'Signed link to the PDF this channel would carry; expires with the preview (minutes), nothing is archived.' })
  pdfUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Why this channel cannot be rendered for this customer (the delivery would fail and its chain move on).' })
  error!: string | null;
}

@ObjectType({ description: 'What sendCommunication with the same input would deliver; nothing written, nothing queued.' })
export class CommunicationPreview {
  @Field(() => [[Channel]], { description: 'One chain per delivery, first channel tried first.' })
  plan!: Channel[][];

  @Field(() => [Preview], { description: 'Every channel of the plan, fallbacks included, once each.' })
  previews!: Preview[];

  @Field({ description: 'Whether the send would wait in AWAITING_APPROVAL for a second person.' })
  approvalRequired!: boolean;
}
