import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Communication } from '../schema/communication.type';
import type { CommunicationEntity } from '../store/communication.entity';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

/** Four-eyes approval: the second person's decision on a communication AWAITING_APPROVAL. */
@Resolver(() => Communication)
export class ApprovalResolver {
  @Authorized(ACCESS.approve)
  @Mutation(() => Communication, {
    description: 'Approves a communication AWAITING_APPROVAL (role approver or admin, never its sender): it is queued (or scheduled) and sent; approvedBy, approvedAt and the timeline record who. CONFLICT once decided.',
  })
  approveCommunication(
    @Arg('id', () => ID) id: string,
    @Arg('comment', () => String, { nullable: true, description: 'For the timeline; at most 500 characters.' }) comment: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<CommunicationEntity> {
    return ctx.services.communications.approve(id, comment ?? null, ctx);
  }

  @Authorized(ACCESS.approve)
  @Mutation(() => Communication, {
    description: 'Rejects a communication AWAITING_APPROVAL (role approver or admin, never its sender): REJECTED, nothing is sent; the reason goes on the timeline. CONFLICT once decided.',
  })
  rejectCommunication(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'For the timeline; at most 500 characters.' }) reason: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<CommunicationEntity> {
    return ctx.services.communications.reject(id, reason, ctx);
  }
}
