import { Field, ObjectType } from 'type-graphql';
import { EngagementKind } from '../domain';

@ObjectType({ description: 'Something the recipient did with a delivery; each kind at most once per delivery.' })
export class Engagement {
  @Field(() => Date, { description: 'When it was first seen, with milliseconds.' })
  at!: Date;

  @Field(() => EngagementKind)
  kind!: EngagementKind;

  @Field(() => String, { nullable: true, description: 'What was engaged with ("view online", a link\'s host, "portal"); never personal data.' })
  detail!: string | null;
}
