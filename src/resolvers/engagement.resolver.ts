import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { AppError, ErrorCode, notFound } from '../errors';
import { Delivery, Document } from '../schema/communication.type';
import { Engagement } from '../schema/engagement.type';
import { ACCESS, canSeeCustomer } from '../services/principal';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentEntity } from '../store/document.entity';
import type { EngagementEntity } from '../store/engagement.entity';
import type { GatewayContext } from './context';

@Resolver(() => Delivery)
export class DeliveryEngagementResolver {
  @Authorized(ACCESS.history)
  @FieldResolver(() => [Engagement], { description: 'What the recipient did with it (opened, clicked, read, downloaded, replied), oldest first.' })
  engagement(@Root() delivery: DeliveryEntity, @Ctx() ctx: GatewayContext): Promise<EngagementEntity[]> {
    return ctx.history.engagementOf.load(delivery.id);
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => Date, { nullable: true, description: 'When it became READ: the first engagement signal after it was sent.' })
  async readAt(@Root() delivery: DeliveryEntity, @Ctx() ctx: GatewayContext): Promise<Date | null> {
    const rows = await ctx.history.engagementOf.load(delivery.id);
    return rows.find((row) => row.madeRead)?.at ?? null;
  }
}

@Resolver(() => Document)
export class DocumentReadResolver {
  @Authorized(ACCESS.markRead)
  @Mutation(() => Document, { description: 'The customer read this document (portal: its own documents only): READ on the delivery that carried it. Repeats change nothing.' })
  async markDocumentRead(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<DocumentEntity> {
    const document = await ctx.history.document.load(id);
    // Another customer's document answers as a missing one.
    if (!document || !canSeeCustomer(ctx.principal, document.customerId)) throw notFound('Document', id);
    const engagement = ctx.services.engagement;
    if (!engagement) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'markDocumentRead: engagement tracking is not available in this process');
    const delivery = await engagement.documentRead(document.id, { downloaded: false, by: ctx.principal.role === 'portal' ? 'portal' : 'agent' });
    if (!delivery) throw new AppError(ErrorCode.CONFLICT, 'markDocumentRead: expected a document a delivery carried, got one no delivery carried');
    return document;
  }
}
