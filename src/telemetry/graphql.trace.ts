import { context, createContextKey, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { ApolloServerPlugin } from '@apollo/server';
import { inSpan } from './tracer';

/** Where the operation's span waits for the plugin to name it (a key, not state). */
const OPERATION_SPAN = createContextKey('ccm-gateway graphql operation span');

/**
 * Wraps the GraphQL route's handler in a span for the operation, so that
 * everything the resolvers do (back-office calls, the store, jobs queued) is
 * its child. `graphqlTracePlugin` names it once the operation is known.
 */
export function tracedGraphqlHandler<A extends unknown[], R>(handler: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    inSpan('graphql', { kind: SpanKind.INTERNAL }, (span) => context.with(context.active().setValue(OPERATION_SPAN, span), async () => handler(...args)));
}

/**
 * Names the operation's span `<type> <name>` and records the operation type
 * and name; never the document or its variables. Error codes (our
 * `extensions.code`) mark a failed operation.
 */
export function graphqlTracePlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const span = context.active().getValue(OPERATION_SPAN) as Span | undefined;
      if (!span?.isRecording()) return {};
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'operation';
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttributes({ 'graphql.operation.type': type, ...(operationName ? { 'graphql.operation.name': operationName } : {}) });
        },
        async didEncounterErrors({ errors }) {
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
        },
      };
    },
  };
}
