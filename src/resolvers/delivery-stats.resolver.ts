import { FieldResolver, Resolver, Root } from 'type-graphql';
import { DeliveryStats } from '../schema/communication.type';
import { ChannelKpi, DeliveryKpi, InteractionStats, TemplateKpi } from '../schema/delivery-kpi.type';

/** The KPI fields of deliveryStats: read together, once per request, only when one of them is asked for. */
@Resolver(() => DeliveryStats)
export class DeliveryStatsResolver {
  @FieldResolver(() => DeliveryKpi)
  async overall(@Root() stats: DeliveryStats): Promise<DeliveryKpi> {
    return (await stats.report()).overall;
  }

  @FieldResolver(() => [ChannelKpi])
  async channels(@Root() stats: DeliveryStats): Promise<ChannelKpi[]> {
    return (await stats.report()).channels.map((c) => ({ ...c }));
  }

  @FieldResolver(() => [TemplateKpi])
  async byTemplate(@Root() stats: DeliveryStats): Promise<TemplateKpi[]> {
    return (await stats.report()).byTemplate.map((t) => ({ ...t }));
  }

  @FieldResolver(() => InteractionStats)
  async interactions(@Root() stats: DeliveryStats): Promise<InteractionStats> {
    const { interactions } = await stats.report();
    return { ...interactions, byChannel: interactions.byChannel.map((c) => ({ ...c })), byReason: interactions.byReason.map((r) => ({ ...r })) };
  }

  @FieldResolver(() => Boolean)
  async timeToReadCapped(@Root() stats: DeliveryStats): Promise<boolean> {
    return (await stats.report()).timeToReadCapped;
  }
}
