import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ContractResolver } from '../resolvers/contract.resolver';
import { CommunicationResolver } from '../resolvers/communication.resolver';
import { CustomerResolver } from '../resolvers/customer.resolver';
import { DeliveryStatsResolver } from '../resolvers/delivery-stats.resolver';
import { DeliveryStatusResolver } from '../resolvers/delivery-status.resolver';
import { DeliveryResolver } from '../resolvers/delivery.resolver';
import { DocumentResolver } from '../resolvers/document.resolver';
import { principalAuthChecker } from '../resolvers/auth.checker';
import { ProductResolver } from '../resolvers/product.resolver';
import { TemplateResolver } from '../resolvers/template.resolver';
import { PreviewResolver } from '../resolvers/preview.resolver';
import { ApprovalResolver } from '../resolvers/approval.resolver';
import { registerEnums } from './enums';
import { BatchResolver } from '../resolvers/batch.resolver';
import { CustomerContactHistoryResolver, InteractionResolver } from '../resolvers/contact-history.resolver';
import { PrintResolver } from '../resolvers/print.resolver';
import { PreferenceResolver } from '../resolvers/preference.resolver';
import { DeliveryEngagementResolver, DocumentReadResolver } from '../resolvers/engagement.resolver';
import { DateTimeScalar } from './scalars';

let enumsRegistered = false;

/** The whole schema, from the resolver classes. `emitSchemaFile` is for scripts/emit-schema.ts only. */
export async function buildGatewaySchema(options: { emitSchemaFile?: string } = {}): Promise<GraphQLSchema> {
  // type-graphql keeps enum registrations in its own global metadata: register them once per process.
  if (!enumsRegistered) {
    registerEnums();
    enumsRegistered = true;
  }
  return buildSchema({
    resolvers: [CustomerResolver, ContractResolver, ProductResolver, CommunicationResolver, DeliveryResolver, DocumentResolver, TemplateResolver, DeliveryStatusResolver, BatchResolver, PrintResolver, InteractionResolver, CustomerContactHistoryResolver, PreviewResolver, ApprovalResolver, PreferenceResolver, DeliveryEngagementResolver, DocumentReadResolver, DeliveryStatsResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker: principalAuthChecker,
    authMode: 'error',
    validate: false,
    // Each subscription brings its own `subscribe` (fed by the Redis status feed); type-graphql still
    // insists on a topic-based pubSub, so this one refuses to be used.
    pubSub: {
      publish: () => {
        throw new Error('topic pub/sub is not used: publish status changes through the StatusFeed');
      },
      subscribe: () => {
        throw new Error('topic pub/sub is not used: subscriptions define their own subscribe function');
      },
    },
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: false } : false,
  });
}
