import { Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Communication, Delivery, DeliveryEvent } from '../schema/communication.type';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEventEntity } from '../store/delivery-event.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import { notFound } from '../errors';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => Delivery)
export class DeliveryResolver {
  @Authorized(ACCESS.history)
  @FieldResolver(() => Communication)
  async communication(@Root() delivery: DeliveryEntity, @Ctx() ctx: GatewayContext): Promise<CommunicationEntity> {
    const found = await ctx.history.communication.load(delivery.communicationId);
    if (!found) throw notFound('Communication', delivery.communicationId);
    return found;
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => [DeliveryEvent], { description: 'The whole timeline, oldest first.' })
  events(@Root() delivery: DeliveryEntity, @Ctx() ctx: GatewayContext): Promise<DeliveryEventEntity[]> {
    return ctx.history.eventsOf.load(delivery.id);
  }
}
