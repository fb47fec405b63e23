import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Communication, EditedBlock } from '../schema/communication.type';
import type { CommunicationEntity } from '../store/communication.entity';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

/** Four-eyes approval: the second person's decision on a communication AWAITING_APPROVAL, and what it decides on. */
@Resolver(() => Communication)
export class ApprovalResolver {
  @Authorized(ACCESS.history)
  @FieldResolver(() => [EditedBlock], { description: "The agent's texts in the template's editable slots (what an approver checks); empty when none." })
  blocks(@Root() communication: CommunicationEntity): EditedBlock[] {
    return Object.entries(communication.blocks ?? {}).map(([slot, text]) => ({ slot, text }));
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => String, { nullable: true, description: 'The principal that asked for it (an approver may not be the same one); null for portal users, to whom it is internal.' })
  requestedBy(@Root() communication: CommunicationEntity, @Ctx() ctx: GatewayContext): string | null {
    return ctx.principal.role === 'portal' ? null : communication.callerId;
  }

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
