import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from './scalars';
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

  @Field(() => JSONScalar, { nullable: true, description: 'Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none.' })
  attributes?: Record<string, unknown> | null;
}

@ObjectType()
export class ProductConnection extends Connection('Product', Product) {}
