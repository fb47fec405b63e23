import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphqlOutcome, Metrics } from './metrics';

/**
 * Times every GraphQL operation that goes through Apollo's request pipeline
 * (HTTP and executeOperation; graphql-ws subscriptions do not) from the start
 * of the request to the response, labelled with the operation name, its type
 * and the outcome:
 *
 * - invalid: refused before execution (syntax, validation, unknown operation);
 *   name and type are then "(none)" / "unknown", since nothing was resolved;
 * - ok: no errors; partial: data and errors, e.g. one back-office system down;
 * - error: errors and no data.
 */
export function metricsApolloPlugin<TContext extends BaseContext = BaseContext>(metrics: Metrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let resolved = false;
      return {
        async didResolveOperation() {
          resolved = true;
        },
        async willSendResponse({ response, operation, operationName }) {
          const seconds = (performance.now() - started) / 1000;
          if (!resolved) {
            metrics.observeGraphql('(none)', 'unknown', 'invalid', seconds);
            return;
          }
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          const outcome: GraphqlOutcome = !result.errors?.length ? 'ok' : result.data ? 'partial' : 'error';
          metrics.observeGraphql(operationName ?? null, operation?.operation ?? 'unknown', outcome, seconds);
        },
      };
    },
  };
}
