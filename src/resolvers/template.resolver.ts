import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { Template } from '../schema/template.type';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => Template)
export class TemplateResolver {
  @Authorized(ACCESS.operations)
  @Query(() => [Template])
  templates(@Ctx() ctx: GatewayContext): Template[] {
    return ctx.services.templates.list().map((t) => ({
      key: t.key,
      name: t.name,
      channels: [...t.channels],
      languages: [...t.languages],
      requiresContract: t.requiresContract,
    }));
  }
}
