import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An amount as a decimal string (never a float) with its ISO 4217 currency.' })
export class Money {
  @Field({ description: 'Decimal string, e.g. "49.90"' })
  amount!: string;

  @Field({ description: 'ISO 4217, e.g. "EUR"' })
  currency!: string;
}
