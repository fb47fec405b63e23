import { Authorized, Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { ContractRecord, CustomerRecord, ProductRecord } from '../domain';
import { Contract } from '../schema/contract.type';
import { Customer } from '../schema/customer.type';
import { Product } from '../schema/product.type';
import type { GatewayContext } from './context';
import { ACCESS, canSeeCustomer } from '../services/principal';

@Resolver(() => Contract)
export class ContractResolver {
  @Authorized(ACCESS.customerData)
  @Query(() => Contract, { nullable: true })
  async contract(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<ContractRecord | null> {
    const record = await ctx.loaders.contract.load(id);
    return record && canSeeCustomer(ctx.principal, record.customerId) ? record : null;
  }

  @Authorized(ACCESS.customerData)
  @FieldResolver(() => Customer, { nullable: true, description: 'Null, with a BACKOFFICE_UNAVAILABLE error, when the CRM is down.' })
  customer(@Root() contract: ContractRecord, @Ctx() ctx: GatewayContext): Promise<CustomerRecord | null> {
    return ctx.loaders.customer.load(contract.customerId);
  }

  @Authorized(ACCESS.catalog)
  @FieldResolver(() => Product, { nullable: true, description: 'Null, with a BACKOFFICE_UNAVAILABLE error, when the catalog is down.' })
  product(@Root() contract: ContractRecord, @Ctx() ctx: GatewayContext): Promise<ProductRecord | null> {
    return ctx.loaders.product.load(contract.productId);
  }
}
