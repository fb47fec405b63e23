import { Authorized, Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { ProductRecord } from '../domain';
import type { ConnectionShape } from '../schema/page-info.type';
import { Product, ProductConnection } from '../schema/product.type';
import { backofficeConnection } from './connection';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => Product)
export class ProductResolver {
  @Authorized(ACCESS.catalog)
  @Query(() => Product, { nullable: true })
  product(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<ProductRecord | null> {
    return ctx.loaders.product.load(id);
  }

  @Authorized(ACCESS.catalog)
  @Query(() => ProductConnection, { nullable: true, description: 'Null, with BACKOFFICE_UNAVAILABLE, when the catalog is down (the rest of the response still resolves).' })
  async products(
    @Arg('category', () => String, { nullable: true }) category: string | null,
    @Arg('first', () => Int, { defaultValue: 50, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<ProductRecord>> {
    const connection = await backofficeConnection(first, 50, after, (page) => ctx.services.backoffice.catalog.listProducts({ ...page, category }));
    for (const edge of connection.edges) ctx.loaders.product.prime(edge.node.id, edge.node);
    return connection;
  }
}
