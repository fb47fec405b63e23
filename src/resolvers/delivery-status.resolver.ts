import { Authorized, Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badInput, notFound } from '../errors';
import { Delivery } from '../schema/communication.type';
import { changesOf, type StatusChange } from '../services/status.feed';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { GatewayContext } from './context';
import { ACCESS, canSeeCustomer } from '../services/principal';

interface Filter {
  readonly communicationId?: string | null;
  readonly customerId?: string | null;
}

/** Checked when the subscription starts: errors here reach the client before any event. */
function subscribe({ args, context }: SubscribeResolverData<unknown, Filter, GatewayContext>): AsyncIterableIterator<StatusChange> {
  const { communicationId, customerId } = args;
  if (!communicationId && !customerId) throw badInput('deliveryStatusChanged: expected communicationId or customerId, got neither');
  const { principal } = context;
  if (customerId && !canSeeCustomer(principal, customerId)) throw notFound('Customer', customerId);
  return changesOf(context.services.feed, (change) =>
    (!communicationId || change.communicationId === communicationId) &&
    (!customerId || change.customerId === customerId) &&
    canSeeCustomer(principal, change.customerId),
  );
}

@Resolver()
export class DeliveryStatusResolver {
  @Authorized(ACCESS.history)
  @Subscription(() => Delivery, {
    subscribe,
    description: 'Every status change of the deliveries of one communication or one customer (at least one argument), from any process.',
  })
  async deliveryStatusChanged(
    @Root() change: StatusChange,
    @Arg('communicationId', () => ID, { nullable: true }) _communicationId: string | null,
    @Arg('customerId', () => ID, { nullable: true }) _customerId: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<DeliveryEntity> {
    // graphql-ws builds the context once per subscription: without this, every change after the first
    // would answer nested fields (events, communication, customer) from the first change's cache.
    for (const loader of [...Object.values(ctx.history), ...Object.values(ctx.loaders)]) loader.clearAll();
    const delivery = await ctx.services.repository.getDelivery(change.deliveryId);
    if (!delivery) throw notFound('Delivery', change.deliveryId);
    // The event's own status: a later change may already be stored, and each event must be seen as it happened.
    return Object.assign(delivery, { status: change.status, updatedAt: new Date(change.at) });
  }
}
