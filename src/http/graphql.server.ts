import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createLoaders } from '../connectors/loaders';
import { AppError, ErrorCode } from '../errors';
import type { GatewayContext } from '../resolvers/context';
import type { GatewayServices } from '../services/gateway.services';
import { createHistoryLoaders } from '../resolvers/history.loaders';
import type { Principal } from '../services/principal';
import { credentialsOf, headerValue, type Authenticator, type Credentials } from './authenticate';
import { createErrorFormatter, type ErrorLogger } from './error.format';
import { queryLimitsRule, type QueryLimits } from './query-limits.rule';
import { enforceRateLimit, rateLimitedError, type RateLimiter } from './rate-limit';
import { graphqlTracePlugin, tracedGraphqlHandler } from '../telemetry/graphql.trace';
import { activeTraceId } from '../telemetry/tracer';

export interface GraphqlServerOptions {
  readonly schema: GraphQLSchema;
  readonly services: GatewayServices;
  readonly authenticator: Authenticator;
  /** Production turns introspection off, and field suggestions ("Did you mean …?") with it. */
  readonly introspection: boolean;
  /** Most active subscriptions on one WebSocket. Default 20. */
  readonly maxSubscriptionsPerConnection?: number;
  /** Most lexical tokens in one HTTP operation. Default 2,000. */
  readonly maxTokens?: number;
  readonly limits?: QueryLimits;
  /** Per principal, across processes; null or absent: no limit. */
  readonly rateLimiter?: RateLimiter | null;
  readonly plugins?: ApolloServerPlugin<GatewayContext>[];
  readonly logger: ErrorLogger;
  /** Default '/graphql'. */
  readonly path?: string;
}

export interface GraphqlServer {
  /** Closes subscriptions, then lets running operations finish. */
  stop(): Promise<void>;
}

/**
 * Apollo on fastify for queries and mutations (POST and GET), and graphql-ws on
 * the same path for subscriptions. Both build the same per-request context.
 */
export async function registerGraphql(app: FastifyInstance, options: GraphqlServerOptions): Promise<GraphqlServer> {
  const path = options.path ?? '/graphql';
  const { services, authenticator, schema } = options;
  const contextFor = (principal: Principal, requestId: string, credentials?: Credentials): GatewayContext => {
    // Back-office calls of this request carry the caller's bearer token, for systems that forward it.
    const callerToken = /^Bearer\s+(\S+)$/i.exec(credentials?.authorization ?? '')?.[1] ?? null;
    const backoffice = callerToken && services.backofficeFor ? services.backofficeFor({ callerToken }) : services.backoffice;
    return {
      principal,
      requestId,
      services: backoffice === services.backoffice ? services : { ...services, backoffice },
      loaders: createLoaders(backoffice),
      history: createHistoryLoaders(services.repository, services.engagement),
    };
  };
  const formatError = createErrorFormatter(options.logger);
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 20;
  const validationRules = [queryLimitsRule(options.limits)];
  const rateKey = (principal: Principal): string => `${principal.role}:${principal.subject}`;

  // Browsers cannot set headers on a WebSocket upgrade: credentials travel in connectionParams.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (request: IncomingMessage, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  const wsServer = useServer<Record<string, unknown>, { principal: Principal }>(
    {
      schema,
      validate: (target, document) => validate(target, document, [...specifiedRules, ...validationRules]),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
        const fromUpgrade = credentialsOf(ctx.extra.request.headers);
        const credentials: Credentials = {
          authorization: str(params.authorization) ?? str(params.Authorization) ?? fromUpgrade.authorization,
          apiKey: str(params['x-api-key']) ?? str(params.apiKey) ?? fromUpgrade.apiKey,
        };
        try {
          const principal = await authenticator.authenticate(credentials);
          ctx.extra.principal = principal;
          // A socket outlives no token: it closes when the token expires (setTimeout holds at most ~24.8 days).
          if (principal.expiresAt) {
            const timer = setTimeout(() => ctx.extra.socket.close(4401, 'Unauthorized: token expired'), Math.min(Math.max(0, principal.expiresAt - Date.now()), 2 ** 31 - 1));
            ctx.extra.socket.once('close', () => clearTimeout(timer));
          }
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx) => {
        // One socket cannot hold unbounded subscriptions (each keeps a listener and a buffer).
        if (Object.keys(ctx.subscriptions).length >= maxSubscriptions) {
          return [new AppError(ErrorCode.QUERY_TOO_COMPLEX, `at most ${maxSubscriptions} subscriptions per connection`)];
        }
        if (!options.rateLimiter) return undefined;
        const result = await options.rateLimiter.consume(rateKey(ctx.extra.principal as Principal));
        return result.allowed ? undefined : [rateLimitedError(result.retryAfterMs)];
      },
      context: (ctx) => contextFor(ctx.extra.principal as Principal, randomUUID()),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e) as never),
    },
    wss,
  );

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: options.introspection,
    hideSchemaDetailsFromClientErrors: !options.introspection,
    parseOptions: { maxTokens: options.maxTokens ?? 2_000 },
    // On by default in Apollo Server 5; said here because it is part of the security model.
    csrfPrevention: true,
    formatError,
    validationRules,
    // Apollo's default landing page loads from a CDN; the offline IDE is served separately.
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; the default plugin would wrap every field resolver for nothing.
      ApolloServerPluginCacheControlDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsServer.dispose(); } }; } },
      graphqlTracePlugin<GatewayContext>(),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: false,
    // The composition root owns shutdown order (HTTP, then workers, then stores).
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const handler = fastifyApolloHandler(apollo, {
    context: async (request) => {
      const credentials = credentialsOf(request.headers);
      let principal: Principal;
      try {
        principal = await authenticator.authenticate(credentials);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'credentials could not be checked', { http: { status: 401 } });
      }
      if (options.rateLimiter) await enforceRateLimit(options.rateLimiter, rateKey(principal));
      // Traced, the correlation id that follows the request into its jobs and logs is the trace id.
      return contextFor(principal, activeTraceId() ?? headerValue(request.headers['x-request-id']) ?? request.id, credentials);
    },
  });
  app.route({ method: ['GET', 'POST', 'OPTIONS'], url: path, handler: tracedGraphqlHandler(handler) });

  return {
    stop: async () => {
      await apollo.stop();
      wss.close();
    },
  };
}
