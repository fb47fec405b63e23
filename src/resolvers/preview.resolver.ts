import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
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
}
