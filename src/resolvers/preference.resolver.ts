import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CustomerRecord } from '../domain';
import { AppError, ErrorCode } from '../errors';
import { Customer } from '../schema/customer.type';
import type { ConnectionShape } from '../schema/page-info.type';
import { PreferenceChange, PreferenceChangeConnection, PreferencesInput } from '../schema/preferences.type';
import { checkFirst, storeConnection } from './connection';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

function centre(ctx: GatewayContext): NonNullable<GatewayContext['services']['preferences']> {
  const preferences = ctx.services.preferences;
  if (!preferences) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The preference centre is not part of this gateway');
  return preferences;
}

@Resolver(() => Customer)
export class PreferenceResolver {
  @Authorized(ACCESS.preferences)
  @Mutation(() => Customer, {
    description: 'agent/admin: any customer (source AGENT); portal: its own customer only (source PORTAL); service: source API. Written through to the CRM when it accepts writes.',
  })
  async updatePreferences(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => PreferencesInput) input: PreferencesInput,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<CustomerRecord> {
    const record = await centre(ctx).service.update(ctx.principal, customerId, input, reason ?? null);
    ctx.loaders.customer.clear(customerId).prime(customerId, record);
    return record;
  }

  @Authorized(ACCESS.customerData)
  @FieldResolver(() => PreferenceChangeConnection, { description: 'Changes of the preferences, newest first.' })
  async preferenceHistory(
    @Root() customer: CustomerRecord,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<PreferenceChange & { id: string; createdAt: Date }>> {
    const page = await centre(ctx).repository.history({ customerId: customer.id, first: checkFirst(first, 20), after });
    return storeConnection({
      ...page,
      items: page.items.map((c) => ({ id: c.id, createdAt: c.createdAt, at: c.createdAt, source: c.source, actor: c.actor, field: c.field, from: c.fromValue, to: c.toValue, reason: c.reason })),
    });
  }
}
