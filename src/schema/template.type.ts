import { Field, ObjectType } from 'type-graphql';
import { Channel } from '../domain';

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
}
