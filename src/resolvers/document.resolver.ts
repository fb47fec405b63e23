import { Authorized, Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
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
  downloadUrl(@Root() document: DocumentEntity, @Ctx() ctx: GatewayContext): string {
    return ctx.services.archive.signedUrl(document.id);
  }
}
