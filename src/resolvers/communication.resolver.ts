import { Authorized, Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CommunicationStatus, type CustomerRecord } from '../domain';
import { Communication, CommunicationConnection, Delivery, DeliveryStats, Document } from '../schema/communication.type';
import { Customer } from '../schema/customer.type';
import type { ConnectionShape } from '../schema/page-info.type';
import { SendCommunicationInput } from '../schema/send-communication.input';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentEntity } from '../store/document.entity';
import { badInput } from '../errors';
import { kpiReport, type KpiReport } from '../services/kpi.report';
import { checkFirst, storeConnection } from './connection';
import type { GatewayContext } from './context';
import { ACCESS, assertCanSeeCustomer, canSeeCustomer } from '../services/principal';

/** Longest window deliveryStats accepts: the query scans the deliveries of that window. */
const MAX_STATS_WINDOW_MS = 366 * 24 * 3600 * 1000;
/** Interaction reasons deliveryStats lists; the rest is `otherReasons`. */
const STATS_TOP_REASONS = 20;

@Resolver(() => Communication)
export class CommunicationResolver {
  @Authorized(ACCESS.history)
  @Query(() => Communication, { nullable: true })
  async communication(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<CommunicationEntity | null> {
    const found = await ctx.history.communication.load(id);
    return found && canSeeCustomer(ctx.principal, found.customerId) ? found : null;
  }

  @Authorized(ACCESS.history)
  @Query(() => CommunicationConnection, { description: 'Newest first.' })
  async communications(
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('status', () => CommunicationStatus, { nullable: true }) status: CommunicationStatus | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<CommunicationEntity>> {
    const size = checkFirst(first, 20);
    const { principal } = ctx;
    if (principal.role === 'portal') {
      if (customerId != null && customerId !== principal.customerId) return storeConnection({ items: [], totalCount: 0, nextCursor: null });
      customerId = principal.customerId;
    }
    const page = await ctx.services.repository.list({ customerId, status, first: size, after });
    for (const c of page.items) ctx.history.communication.prime(c.id, c);
    return storeConnection(page);
  }

  @Authorized(ACCESS.operations)
  @Query(() => DeliveryStats, {
    description: 'Deliveries created in [from, to), by channel and status; the KPIs of the communications created in [from, to) and the interactions that occurred then.',
  })
  async deliveryStats(@Arg('from', () => Date) from: Date, @Arg('to', () => Date) to: Date, @Ctx() ctx: GatewayContext): Promise<DeliveryStats> {
    if (ctx.principal.role === 'portal') assertCanSeeCustomer(ctx.principal, '', 'Statistics', 'deliveryStats');
    if (to.getTime() <= from.getTime()) throw badInput('to: expected a time after `from`', 'to');
    if (to.getTime() - from.getTime() > MAX_STATS_WINDOW_MS) throw badInput('to: expected a window of at most 366 days', 'to');
    const stats = await ctx.services.repository.stats(from, to);
    let report: Promise<KpiReport> | null = null;
    const load = (): Promise<KpiReport> => (report ??= ctx.services.repository.kpis(from, to, { topReasons: STATS_TOP_REASONS }).then(kpiReport));
    return Object.assign(new DeliveryStats(), { total: stats.total, byChannel: stats.byChannel.map((s) => ({ ...s })), report: load });
  }

  @Authorized(ACCESS.send)
  @Mutation(() => Communication, { description: 'Records the request and queues its rendering and delivery.' })
  sendCommunication(@Arg('input', () => SendCommunicationInput) input: SendCommunicationInput, @Ctx() ctx: GatewayContext): Promise<CommunicationEntity> {
    return ctx.services.communications.send(input, ctx);
  }

  @Authorized(ACCESS.send)
  @Mutation(() => Communication, { description: 'Cancels a communication that is still SCHEDULED or QUEUED (CONFLICT otherwise).' })
  cancelCommunication(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<CommunicationEntity> {
    return ctx.services.communications.cancel(id, ctx);
  }

  @Authorized(ACCESS.send)
  @Mutation(() => Delivery, { description: 'Sends a FAILED or BOUNCED delivery again (CONFLICT otherwise).' })
  retryDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<DeliveryEntity> {
    return ctx.services.communications.retry(id, ctx);
  }

  @Authorized(ACCESS.customerData)
  @FieldResolver(() => Customer, { nullable: true, description: 'Null, with a BACKOFFICE_UNAVAILABLE error, when the CRM is down.' })
  customer(@Root() communication: CommunicationEntity, @Ctx() ctx: GatewayContext): Promise<CustomerRecord | null> {
    return ctx.loaders.customer.load(communication.customerId);
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => [Delivery], { description: 'In the order they were created: fallbacks after the delivery they replace.' })
  deliveries(@Root() communication: CommunicationEntity, @Ctx() ctx: GatewayContext): Promise<DeliveryEntity[]> {
    return ctx.history.deliveriesOf.load(communication.id);
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => [Document])
  documents(@Root() communication: CommunicationEntity, @Ctx() ctx: GatewayContext): Promise<DocumentEntity[]> {
    return ctx.history.documentsOf.load(communication.id);
  }
}
