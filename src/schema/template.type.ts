import { Field, Int, ObjectType } from 'type-graphql';
import { Channel } from '../domain';

@ObjectType({ description: 'One field a template declares for `data`: what sendCommunication checks.' })
export class TemplateField {
  @Field()
  name!: string;

  @Field({ description: 'string, number, integer, boolean, date, money or array.' })
  type!: string;

  @Field()
  required!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int, { nullable: true, description: 'Strings: longest accepted length.' })
  maxLength!: number | null;

  @Field(() => Int, { nullable: true, description: 'Arrays: most items accepted.' })
  maxItems!: number | null;

  @Field(() => [TemplateField], { nullable: true, description: 'Arrays: the fields of each item.' })
  items!: TemplateField[] | null;
}

@ObjectType({ description: 'A communication template and what it can produce.' })
export class Template {
  @Field()
  key!: string;

  @Field()
  name!: string;

  @Field(() => [Channel])
  channels!: Channel[];

  @Field(() => [String], { description: 'Languages it is written in; others fall back to English.' })
  languages!: string[];

  @Field({ description: 'Whether sendCommunication needs a contractId for it.' })
  requiresContract!: boolean;

  @Field(() => [TemplateField], { description: 'What `data` must hold.' })
  dataFields!: TemplateField[];

  @Field(() => Int, { description: 'The active version (the files in templates/ are version 1).' })
  version!: number;

  @Field(() => [String], { description: 'Slots where an agent may add text (`blocks` of sendCommunication).' })
  editableBlocks!: string[];

  @Field({ description: 'Whether every communication of this template waits for a second person to approve it.' })
  approvalRequired!: boolean;

  @Field({ description: 'Whether a communication waits for approval when its request fills an editable block.' })
  approvalWhenEdited!: boolean;
}
