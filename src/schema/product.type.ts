import { Field, ID, ObjectType } from 'type-graphql';
import { Money } from './money.type';
import { Connection } from './page-info.type';

@ObjectType({ description: 'A product of the catalog.' })
export class Product {
  @Field(() => ID)
  id!: string;

  @Field()
  code!: string;

  @Field()
  name!: string;

  @Field()
  category!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Money)
  price!: Money;
}

@ObjectType()
export class ProductConnection extends Connection('Product', Product) {}
