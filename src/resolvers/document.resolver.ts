import { Authorized, Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { Reprint } from '../services/reprint.service';
import { Document } from '../schema/communication.type';
import type { DocumentEntity } from '../store/document.entity';
import type { GatewayContext } from './context';
import { ACCESS, canSeeCustomer } from '../services/principal';

@Resolver(() => Document)
export class DocumentResolver {
  @Authorized(ACCESS.history)
  @Query(() => Document, { nullable: true })
  async document(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<DocumentEntity | null> {
    const found = await ctx.history.document.load(id);
    return found && canSeeCustomer(ctx.principal, found.customerId) ? found : null;
  }

  @Authorized(ACCESS.history)
  @FieldResolver(() => String, { description: 'Signed and expiring; works without other credentials until it expires.' })
  downloadUrl(@Root() document: DocumentEntity | Reprint, @Ctx() ctx: GatewayContext): string {
    // A reprint's link is to the reprinted bytes, not to the archived file.
    // A portal user's own link: its download counts as the customer reading the document.
    return 'reprintUrl' in document ? document.reprintUrl : ctx.services.archive.signedUrl(document.id, new Date(), ctx.principal.role === 'portal' ? { reader: 'portal' } : {});
  }

  @Authorized(ACCESS.reprint)
  @Mutation(() => Document, {
    description: 'Composes an archived document again from its render snapshot (the same template version, back-office records, data, reference and date) and renders it; writes nothing. sha256 and downloadUrl are the reprint\'s (the link lives 10 minutes); sha256 equals the archived one when the bytes are the same. CONFLICT without a snapshot.',
  })
  reprintDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Reprint> {
    if (!ctx.services.reprints) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'reprintDocument: reprints are not available in this process');
    return ctx.services.reprints.reprint(id, ctx);
  }
}
