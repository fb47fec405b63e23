import { Authorized, Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { ContractStatus, displayName, type ContractRecord, type CustomerRecord } from '../domain';
import { notFound } from '../errors';
import { CommunicationConnection, DocumentConnection } from '../schema/communication.type';
import { Contract } from '../schema/contract.type';
import { CommunicationPreferences, Customer, CustomerConnection } from '../schema/customer.type';
import type { ConnectionShape } from '../schema/page-info.type';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DocumentEntity } from '../store/document.entity';
import { backofficeConnection, checkFirst, storeConnection } from './connection';
import type { GatewayContext } from './context';
import { ACCESS, canSeeCustomer } from '../services/principal';
import { preferencesOf } from '../preferences/preference.view';

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized(ACCESS.customerData)
  @Query(() => Customer, { nullable: true, description: 'Null when the CRM has no such customer (or a portal user asks for another one).' })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<CustomerRecord | null> {
    if (!canSeeCustomer(ctx.principal, id)) return null;
    return ctx.loaders.customer.load(id);
  }

  @Authorized(ACCESS.customerData)
  @Query(() => CustomerConnection, { nullable: true, description: 'Search by name, email, phone or id; cursor-paged. Null, with BACKOFFICE_UNAVAILABLE, when the CRM is down (the rest of the response still resolves).' })
  async customers(
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<CustomerRecord>> {
    const own = ctx.principal.role === 'portal' ? ctx.principal.customerId : null;
    if (own !== null) {
      // A portal user's directory is themselves; the CRM is not searched on their behalf.
      const size = checkFirst(first, 20);
      const record = after ? null : await ctx.loaders.customer.load(own);
      const nodes = record && size > 0 ? [record] : [];
      return { edges: nodes.map((node) => ({ cursor: 'self', node })), pageInfo: { hasNextPage: false, endCursor: nodes.length ? 'self' : null }, totalCount: record ? 1 : 0 };
    }
    const connection = await backofficeConnection(first, 20, after, (page) => ctx.services.backoffice.crm.searchCustomers({ ...page, search }));
    for (const edge of connection.edges) ctx.loaders.customer.prime(edge.node.id, edge.node);
    return connection;
  }

  @FieldResolver(() => String)
  displayName(@Root() customer: CustomerRecord): string {
    return displayName(customer);
  }

  @FieldResolver(() => CommunicationPreferences)
  preferences(@Root() customer: CustomerRecord): CommunicationPreferences {
    return preferencesOf(customer);
  }

  @Authorized(ACCESS.customerData)
  @FieldResolver(() => [Contract], {
    nullable: true,
    description: 'Newest first. Null, with a BACKOFFICE_UNAVAILABLE error, when the contract system is down.',
  })
  async contracts(
    @Root() customer: CustomerRecord,
    @Arg('status', () => ContractStatus, { nullable: true }) status: ContractStatus | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<readonly ContractRecord[]> {
    const all = await ctx.loaders.contractsByCustomer.load(customer.id);
    return status ? all.filter((c) => c.status === status) : all;
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => CommunicationConnection, { description: 'Contact history, newest first, all channels.' })
  async communications(
    @Root() customer: CustomerRecord,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<CommunicationEntity>> {
    const page = await ctx.services.repository.list({ customerId: customer.id, first: checkFirst(first, 20), after });
    for (const c of page.items) ctx.history.communication.prime(c.id, c);
    return storeConnection(page);
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => DocumentConnection, { description: 'Archive of what was sent to this customer, newest first.' })
  async documents(
    @Root() customer: CustomerRecord,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<DocumentEntity>> {
    return storeConnection(await ctx.services.repository.documentsOfCustomer({ customerId: customer.id, first: checkFirst(first, 20), after }));
  }
}

/** For resolvers that must answer NOT_FOUND rather than null. */
export async function loadVisibleCustomer(ctx: GatewayContext, id: string): Promise<CustomerRecord> {
  const record = canSeeCustomer(ctx.principal, id) ? await ctx.loaders.customer.load(id) : null;
  if (!record) throw notFound('Customer', id);
  return record;
}
