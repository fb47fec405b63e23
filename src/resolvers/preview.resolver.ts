import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { CommunicationPreview } from '../schema/preview.type';
import { SendCommunicationInput } from '../schema/send-communication.input';
import { previewUnavailable, type CommunicationPreviewResult } from '../services/preview.service';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => CommunicationPreview)
export class PreviewResolver {
  @Authorized(ACCESS.send)
  @Query(() => CommunicationPreview, { description: 'Renders every channel of the plan as sendCommunication would, writing and queueing nothing; refuses what a send refuses.' })
  previewCommunication(@Arg('input', () => SendCommunicationInput) input: SendCommunicationInput, @Ctx() ctx: GatewayContext): Promise<CommunicationPreviewResult> {
    if (!ctx.services.previews) throw previewUnavailable();
    return ctx.services.previews.preview(input, ctx);
  }

  @Authorized(ACCESS.previewRecorded)
  @Query(() => CommunicationPreview, {
    nullable: true,
    description: 'A recorded communication rendered as its render job will compose it (its reference, template version, data, agent text and plan; back-office data as it is now), writing nothing: what an approver checks before deciding. Null when there is no such communication for this principal.',
  })
  communicationPreview(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<CommunicationPreviewResult | null> {
    if (!ctx.services.previews) throw previewUnavailable();
    return ctx.services.previews.previewStored(id, ctx);
  }
}
