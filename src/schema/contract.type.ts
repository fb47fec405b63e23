import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from './scalars';
import { ContractStatus } from '../domain';
import { Money } from './money.type';

@ObjectType({ description: 'A contract of the contract system.' })
export class Contract {
  @Field(() => ID)
  id!: string;

  @Field()
  number!: string;

  @Field(() => ContractStatus)
  status!: ContractStatus;

  @Field(() => Date)
  startDate!: Date;

  @Field(() => Date, { nullable: true })
  endDate!: Date | null;

  @Field(() => Money)
  monthlyAmount!: Money;

  @Field(() => JSONScalar, { nullable: true, description: 'Extra fields the back-office configuration maps (BACKOFFICE_CONFIG `attributes`); null when it maps none.' })
  attributes?: Record<string, unknown> | null;
}
