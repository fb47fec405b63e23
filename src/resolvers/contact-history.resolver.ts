import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Direction, InteractionChannel, type CustomerRecord } from '../domain';
import { notFound } from '../errors';
import { Communication } from '../schema/communication.type';
import { Customer } from '../schema/customer.type';
import { ContactHistoryConnection, ContactHistoryEntry, Interaction, RecordInteractionInput } from '../schema/interaction.type';
import type { ContactHistoryChange } from '../services/contact.service';
import type { CommunicationEntity } from '../store/communication.entity';
import type { InteractionEntity } from '../store/interaction.entity';
import { checkFirst } from './connection';
import type { GatewayContext } from './context';
import { loadVisibleCustomer } from './customer.resolver';
import { ACCESS, canSeeCustomer, type Principal, type Role } from '../services/principal';

/** Who records interactions: the front office and the systems that talk to customers, not customers themselves. */
const RECORD: readonly Role[] = ['agent', 'service', 'admin'];

/** A customer reading its own history does not see staff notes. */
const seesInternal = (principal: Principal): boolean => principal.role !== 'portal';

function subscribe({ args, context }: SubscribeResolverData<unknown, { customerId: string }, GatewayContext>): AsyncIterableIterator<ContactHistoryChange> {
  if (!canSeeCustomer(context.principal, args.customerId)) throw notFound('Customer', args.customerId);
  return context.services.contacts.changes(args.customerId, seesInternal(context.principal));
}

@Resolver(() => Interaction)
export class InteractionResolver {
  @Authorized(RECORD as Role[])
  @Mutation(() => Interaction, { description: 'A contact the gateway did not send. Idempotent on (caller, externalId).' })
  async recordInteraction(@Arg('input', () => RecordInteractionInput) input: RecordInteractionInput, @Ctx() ctx: GatewayContext): Promise<InteractionEntity> {
    // Unknown customer → NOT_FOUND before anything is written.
    await loadVisibleCustomer(ctx, input.customerId);
    return ctx.services.contacts.recordInteraction(ctx.principal.subject, input);
  }

  @Authorized(ACCESS.customerData)
  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() interaction: InteractionEntity, @Ctx() ctx: GatewayContext): Promise<CustomerRecord | null> | null {
    return canSeeCustomer(ctx.principal, interaction.customerId) ? ctx.loaders.customer.load(interaction.customerId) : null;
  }

  @FieldResolver(() => Communication, { nullable: true })
  async relatedCommunication(@Root() interaction: InteractionEntity, @Ctx() ctx: GatewayContext): Promise<CommunicationEntity | null> {
    if (!interaction.relatedCommunicationId) return null;
    const found = await ctx.history.communication.load(interaction.relatedCommunicationId);
    return found && canSeeCustomer(ctx.principal, found.customerId) ? found : null;
  }

  @Authorized(ACCESS.history)
  @Subscription(() => ContactHistoryEntry, {
    subscribe,
    description: "Every change of one customer's contact history (an interaction recorded, a communication's delivery moving on), from any process.",
  })
  async contactHistoryChanged(
    @Root() change: ContactHistoryChange,
    @Arg('customerId', () => ID) _customerId: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<CommunicationEntity | InteractionEntity> {
    // One context per subscription: each change must be read fresh, not from the first change's cache.
    for (const loader of [...Object.values(ctx.history), ...Object.values(ctx.loaders)]) loader.clearAll();
    const found = change.kind === 'interaction' ? (await ctx.services.contacts.getInteractions([change.id]))[0] : await ctx.history.communication.load(change.id);
    if (!found) throw notFound(change.kind === 'interaction' ? 'Interaction' : 'Communication', change.id);
    return found;
  }
}

@Resolver(() => Customer)
export class CustomerContactHistoryResolver {
  @Authorized(ACCESS.history)
  @FieldResolver(() => ContactHistoryConnection, { description: 'Communications and interactions, newest first, one cursor across both.' })
  async contactHistory(
    @Root() customer: CustomerRecord,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('direction', () => Direction, { nullable: true }) direction: Direction | null,
    @Arg('channels', () => [InteractionChannel], { nullable: true }) channels: InteractionChannel[] | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactHistoryConnection> {
    if (!canSeeCustomer(ctx.principal, customer.id)) throw notFound('Customer', customer.id);
    const page = await ctx.services.contacts.contactHistory({
      customerId: customer.id,
      first: checkFirst(first, 20),
      after,
      direction,
      channels,
      includeInternal: seesInternal(ctx.principal),
    });
    for (const { entry } of page.entries) if (entry.kind === 'communication') ctx.history.communication.prime(entry.row.id, entry.row);
    const edges = page.entries.map(({ cursor, entry }) => ({ cursor, node: entry.row }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
  }
}

