import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { ChannelModule } from '../channels/channel.module';
import { builtInChannels, ChannelRegistry } from '../channels/registry';
import { takesPreferenceWrites, type CallContext, type CustomerDirectory } from '../connectors/backoffice';
import { connectBackoffice, defaultBackofficeFile, type ConnectedBackoffice, type ConnectorDefaults } from '../connectors/backoffice.connect';
import { registerCors } from '../http/cors';
import { registerDocumentsRoute } from '../http/documents.route';
import { registerPrintBatchesRoute } from '../http/print-batches.route';
import { registerGraphql } from '../http/graphql.server';
import { registerHealthRoutes } from '../http/health.routes';
import { createAuthenticator } from '../http/authenticate';
import { createRateLimiter } from '../http/rate-limit';
import { loadPdfaFonts } from '../render/pdfa.fonts';
import { TemplateCatalog } from '../render/template.catalog';
import { buildGatewaySchema } from '../schema/build';
import { CommunicationService } from '../services/communication.service';
import { PreviewService } from '../services/preview.service';
import { TemplateVersions } from '../services/template.versions';
import { ReprintService } from '../services/reprint.service';
import { TemplateVersionRepository } from '../store/template-version.repository';
import { PreviewStore } from '../services/preview.store';
import { registerPreviewsRoute } from '../http/previews.route';
import { inlineLetterRenderer } from '../render/pdf.renderers';
import type { StatusFeed } from '../services/status.feed';
import { openStore, type Store } from '../store/data-source';
import { DocumentArchive } from '../store/document.archive';
import type { Priority } from '../domain';
import { registerIde } from '../http/ide.page';
import { registerQueueDashboard } from '../http/queue-dashboard';
import { createMetrics, registerMetricsRoute } from '../http/metrics';
import { metricsApolloPlugin } from '../http/metrics.plugin';
import { registerKpiMetrics } from '../http/kpi.metrics';
import { kpiReport } from '../services/kpi.report';
import { registerTwilioWebhook } from '../http/twilio.webhook';
import { Dispatcher } from '../jobs/dispatcher';
import type { JobOptionsOverrides } from '../jobs/queue.names';
import type { RunningWorkers } from '../jobs/workers';
import { enqueueCommunication, enqueueDelivery } from '../jobs/outbox.enqueue';
import { applyProviderReport } from '../jobs/provider-report';
import { createRedis } from '../jobs/redis.connection';
import { SendReceipts } from '../jobs/send.receipts';
import { createRedisStatusEvents, type StatusEvents } from '../jobs/status.events';
import { createRedisChannel } from '../jobs/redis.channel';
import { ContactService, type ContactHistoryChange } from '../services/contact.service';
import { InteractionRepository } from '../store/interaction.repository';
import type { GatewayContext } from '../resolvers/context';
import type { CommunicationEntity } from '../store/communication.entity';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import { startEmbeddedServices, type Endpoints } from './embedded.services';
import { projectRoot } from './project-root';
import { startWorkerRole, type WorkerTuning } from './worker.role';
import { createBulkApi } from '../bulk/bulk.api';
import { startBulkWorkers } from '../bulk/bulk.workers';
import { createPrintApi } from '../print/print.api';
import { startPrintScheduler } from '../print/print.workers';
import { registerHttpRouteNames } from '../telemetry/http.trace';
import { registerConsole } from '../http/console.routes';
import { OverlayCustomerDirectory } from '../preferences/overlay.directory';
import { PreferenceService } from '../preferences/preference.service';
import { PreferenceSyncQueue, startPreferenceSyncWorker } from '../preferences/preference-sync.queue';
import { UnusableAddresses } from '../preferences/unusable.addresses';
import { InboundService } from '../preferences/inbound.service';
import { providerReplies } from '../preferences/provider.replies';
import { registerTwilioInboundWebhook } from '../http/twilio-inbound.webhook';
import { createProviders } from './channel.providers';
import { EngagementService } from '../engagement/engagement.service';
import { TrackingTokens } from '../engagement/tracking.token';
import { TrackedLinks } from '../engagement/message.links';
import { registerTrackingRoutes } from '../http/tracking.routes';
import { EngagementRepository } from '../store/engagement.repository';

export type Role = 'api' | 'worker' | 'all';

export interface Gateway {
  /** Where the API listens (null for a worker). */
  readonly url: string | null;
  readonly endpoints: Endpoints;
  readonly app: FastifyInstance | null;
  readonly store: Store;
  /** The inbound SMTP listener for bounces, when this process runs workers. */
  readonly bounceUrl: string | null;
  /** What the composition root built, for tests and tools that drive this process from inside. */
  readonly parts: GatewayParts;
  close(): Promise<void>;
}

export interface GatewayParts {
  readonly backoffice: ConnectedBackoffice;
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly templates: TemplateCatalog;
  readonly channels: ChannelRegistry;
  readonly dispatcher: Dispatcher;
  readonly events: StatusEvents;
  /** The render and deliver workers and the outbox sweeper, when this process runs workers. */
  readonly workers: RunningWorkers | null;
}

/**
 * Settings the environment does not carry, for tests that need the gateway
 * to behave faster or differently than in production (short backoffs, a
 * breaker that never opens, an outbox sweeper on its own schedule). Nothing
 * here is needed to run the gateway.
 */
export interface GatewayOptions {
  /** Folder of the templates. Default `templates/` of the project. */
  readonly templatesDir?: string;
  /** The channel modules; default the built-in ones (`builtInChannels()`). */
  readonly channels?: readonly ChannelModule[];
  /** Job options per queue, over the job system's defaults (`jobOptionsFor`). */
  readonly jobOptions?: JobOptionsOverrides;
  /** Over the back-office tuning of the configuration (`BACKOFFICE_*`), e.g. `breaker`. */
  readonly connectors?: Partial<Pick<ConnectorDefaults, 'timeoutMs' | 'retries' | 'cacheTtlMs' | 'breaker'>>;
  /** Over the worker settings derived from the configuration: concurrency per kind, sweeper timings, shutdown grace. */
  readonly workers?: WorkerTuning;
}

/**
 * The composition root: everything is built here from the config, once, and
 * `close()` stops it in reverse order (HTTP first, so no request finds a
 * closed store; embedded services last).
 */
export async function startGateway(config: Config, role: Role, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const stack: [string, () => Promise<unknown>][] = [];
  const close = async (): Promise<void> => {
    while (stack.length) {
      const [name, step] = stack.pop() as [string, () => Promise<unknown>];
      logger.debug({ step: name }, 'stopping');
      await step().catch((error: unknown) => logger.warn({ err: error, step: name }, 'error while stopping'));
    }
  };
  try {
    // DOCUMENT_PDFA: the fonts are read (and a missing one reported) before anything starts, not at the first letter.
    if (config.documentPdfa) loadPdfaFonts();
    const endpoints = await startEmbeddedServices(config, logger);
    stack.push(['endpoints', () => endpoints.close()]);
    const store = await openStore(config.databaseUrl, { onCheckpointError: (message) => logger.warn({ err: message }, 'store checkpoint failed; the next one tries again') });
    stack.push(['store', () => store.close()]);
    // BACKOFFICE_CONFIG, or the simulated back office's own configuration at the addresses found above.
    const backofficeFile = config.backofficeConfig ?? defaultBackofficeFile({
      crmUrl: endpoints.crmUrl ?? '',
      catalogUrl: endpoints.catalogUrl ?? '',
      contractsDatabaseUrl: endpoints.contractsDatabaseUrl ?? '',
    });
    const connected: ConnectedBackoffice = await connectBackoffice(backofficeFile, { ...config.connectors, ...options.connectors });
    stack.push(['backoffice', () => connected.close()]);
    // Everything downstream reads customers with the preference centre's overlay laid over the CRM's record;
    // the write-through and the history's "from" values talk to the CRM itself.
    const crm = connected.crm;
    const overlaid = (directory: CustomerDirectory): CustomerDirectory => new OverlayCustomerDirectory(directory, store.preferences);
    const backoffice: ConnectedBackoffice = {
      ...connected,
      crm: overlaid(crm),
      forCaller: (call) => {
        const systems = connected.forCaller(call);
        return { ...systems, crm: overlaid(systems.crm) };
      },
    };
    const channels = new ChannelRegistry(options.channels ?? builtInChannels());
    const templates = TemplateCatalog.load(options.templatesDir ?? join(projectRoot(), 'templates'), { channels: channels.modules });
    const repository = store.communications;
    // Published template versions (the files are version 1), shared through the database.
    const templateVersions = new TemplateVersions(templates, new TemplateVersionRepository(store.dataSource), logger);
    const archive = new DocumentArchive({
      dir: join(config.dataDir, 'archive'),
      signingSecret: config.documentSigningSecret,
      linkTtlSeconds: config.documentLinkTtlSeconds,
      publicUrl: config.publicUrl,
      repository,
    });
    const events = createRedisStatusEvents({ redisUrl: endpoints.redisUrl, channel: `${config.queuePrefix}:delivery-status` });
    stack.push(['events', () => events.close()]);
    const feed: StatusFeed = events;
    const dispatcher = new Dispatcher({ connection: endpoints.redisUrl, prefix: config.queuePrefix, jobOptions: options.jobOptions, channels: channels.ids });
    stack.push(['dispatcher', () => dispatcher.close()]);

    const metrics = createMetrics();
    metrics.setQueueCounts(() => dispatcher.queueCounts());
    // Every status change of every process reaches each API process: ccm_deliveries_total of one
    // instance counts them all (do not sum it across API instances).
    stack.push(['metrics feed', async () => unsubscribeMetrics()]);
    const unsubscribeMetrics = events.subscribe((change) => metrics.deliveryStatus(change.channel, change.status));
    // The KPIs of the trailing window, read from the database at scrape time (cached a few seconds).
    registerKpiMetrics(metrics.registry, {
      read: async (from, to) => kpiReport(await repository.kpis(from, to, { topReasons: config.kpi.topReasons })),
      windowSeconds: config.kpi.windowSeconds,
      cacheSeconds: config.kpi.cacheSeconds,
      onError: (err) => logger.warn({ err }, 'KPI metrics: reading the database failed'),
    });
    // The links messages write (view online, open pixel): one set for the workers' sends and the API's previews and engagement.
    const trackingTokens = new TrackingTokens(config.tracking.secret);
    const links = new TrackedLinks({ publicUrl: config.publicUrl, tokens: trackingTokens, enabled: config.tracking.enabled, portalUrl: config.tracking.portalUrl, documents: archive });
    // The preference centre: API changes and, in workers, bounces and returned mail marking addresses unusable.
    const preferenceQueue = new PreferenceSyncQueue({ connection: endpoints.redisUrl, prefix: config.queuePrefix });
    stack.push(['preference queue', () => preferenceQueue.close()]);
    const languages = [...new Set(templates.list().flatMap((t) => t.languages))].sort();
    const preferenceService = new PreferenceService({ repository: store.preferences, crm, languages: () => languages, sync: takesPreferenceWrites(crm) ? preferenceQueue : null, logger });
    const bounces = new UnusableAddresses({ preferences: preferenceService, crm, logger });
    let bounceUrl: string | null = null;
    let pipelineWorkers: RunningWorkers | null = null;
    if (role === 'worker' || role === 'all') {
      const preferenceSync = await startPreferenceSyncWorker({ connection: endpoints.redisUrl, prefix: config.queuePrefix, repository: store.preferences, crm, logger });
      stack.push(['preference write-through', () => preferenceSync.close()]);
      const workers = await startWorkerRole({ config, endpoints, repository, archive, backoffice, templates, templateVersions, channels, events, dispatcher, bounces, links, logger, tuning: options.workers });
      bounceUrl = workers.bounceUrl;
      pipelineWorkers = workers.workers;
      stack.push(['workers', () => workers.close()]);
    }
    // Print output (src/print) from PRINT_*: postage planning, closing defaults, signed downloads.
    const print = {
      redisUrl: endpoints.redisUrl,
      prefix: config.queuePrefix,
      dataSource: store.dataSource,
      dataDir: config.dataDir,
      outcomes: { repository, events, dispatcher, backoffice, channels, bounces, logger },
      postage: { homeCountry: config.print.homeCountry, sheetGrams: config.print.sheetGrams, envelopeGrams: config.print.envelopeGrams },
      defaults: { duplex: config.print.duplex, maxLetters: config.print.batchMaxLetters },
      signer: archive,
      publicUrl: config.publicUrl,
    };
    // Bulk sends and print output (src/bulk, src/print): expand/cancel jobs, batch monitor, scheduled print batches.
    if (role === 'worker' || role === 'all') {
      const bulkWorkers = await startBulkWorkers({ redisUrl: endpoints.redisUrl, dataSource: store.dataSource, repository, backoffice, templates, templateVersions, channels, dispatcher, statusEvents: events, logger, jobOptions: options.jobOptions });
      stack.push(['bulk workers', () => bulkWorkers.close()]);
      const printWorkerApi = createPrintApi(print);
      stack.push(['print closer', () => printWorkerApi.close()]);
      const printScheduler = await startPrintScheduler({ redisUrl: endpoints.redisUrl, prefix: config.queuePrefix, closer: printWorkerApi.closer, intervalMs: config.print.batchIntervalMs, close: print.defaults });
      stack.push(['print scheduler', () => printScheduler.close()]);
    }

    let app: FastifyInstance | null = null;
    let url: string | null = null;
    if (role === 'api' || role === 'all') {
      app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 /* a bulk send may list 100,000 customer ids */, requestIdHeader: 'x-request-id', trustProxy: false });
      if (config.telemetry) registerHttpRouteNames(app);
      const authenticator = createAuthenticator(config.auth);
      if (authenticator.open) logger.warn('authentication is OFF (development, no AUTH_* configured): every request acts as admin');
      // Without auth every request is the one development principal: a per-principal limit would be one global limit.
      const rateLimiter = config.rateLimit && !authenticator.open
        ? createRateLimiter({ redis: endpoints.redisUrl, prefix: `${config.queuePrefix}:rate`, ...config.rateLimit, onError: (err) => logger.warn({ err }, 'rate limiter: Redis unavailable, request let through') })
        : null;
      if (rateLimiter) stack.push(['rate limiter', () => rateLimiter.close()]);
      const enqueue = { dispatcher, repository };
      const jobs = {
        enqueueCommunication: (c: CommunicationEntity, correlationId?: string, deliveries?: readonly DeliveryEntity[]) => enqueueCommunication(enqueue, c, correlationId, deliveries),
        enqueueDelivery: (d: DeliveryEntity, priority: Priority, correlationId?: string) => enqueueDelivery(enqueue, d, priority, correlationId),
        cancel: (id: string) => dispatcher.cancel(id),
      };
      const communications = new CommunicationService({ repository, templates, channels, jobs, feed, logger, versions: templateVersions, minUnreadSeconds: config.escalation.minUnreadSeconds, attachmentPasswordField: config.attachmentPasswordField });
      const contactFeed = createRedisChannel<ContactHistoryChange>({ redisUrl: endpoints.redisUrl, channel: `${config.queuePrefix}:contact-history`, name: 'ccm-contact' });
      stack.push(['contact feed', () => contactFeed.close()]);
      const contacts = new ContactService({ interactions: new InteractionRepository(store.dataSource), communications: repository, contactFeed, statusFeed: feed });
      // Previews: the letter as the workers render it (same fonts, same layout), the PDF kept minutes in Redis.
      const previewRedis = createRedis(endpoints.redisUrl, 'client', 'ccm-preview');
      previewRedis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
      stack.push(['previews', async () => {
        await previewRedis.quit().catch(() => previewRedis.disconnect());
      }]);
      const previewStore = new PreviewStore(previewRedis, { prefix: config.queuePrefix, signingSecret: config.documentSigningSecret, publicUrl: config.publicUrl });
      const [senderName, ...senderLines] = config.senderAddress;
      const apiLetters = inlineLetterRenderer({ pdfa: config.documentPdfa, layout: { homeCountry: config.print.homeCountry } });
      const reprints = new ReprintService({ repository, templates, versions: templateVersions, letters: apiLetters, store: previewStore });
      const previews = new PreviewService({
        communications, templates, channels, backoffice, store: previewStore,
        letters: apiLetters, attachmentPasswordField: config.attachmentPasswordField,
        links, repository, versions: templateVersions,
        sender: { name: senderName, addressLines: senderLines, returnLine: [senderName, ...senderLines].join(' · ') },
      });
      // Opens, clicks, reads: recorded once per delivery and kind, published on the status feed.
      const engagement = new EngagementService({ repository: new EngagementRepository(store.dataSource), feed, tokens: trackingTokens, documents: archive, escalationStopOnOpen: config.escalation.stopOnOpen });
      const services = { backoffice, backofficeFor: (call: CallContext) => backoffice.forCaller(call), repository, archive, templates, templateVersions, communications, feed, contacts, previews, reprints, engagement };
      // Bulk sends and print output: their resolvers reach these through bulkServiceOf / printServiceOf.
      const bulkApi = createBulkApi({ redisUrl: endpoints.redisUrl, prefix: config.queuePrefix, dataSource: store.dataSource, templates, templateVersions, channels, backoffice, logger, jobOptions: options.jobOptions });
      stack.push(['bulk api', () => bulkApi.close()]);
      const printApi = createPrintApi(print);
      stack.push(['print api', () => printApi.close()]);
      Object.assign(services, { bulk: bulkApi.bulk, print: printApi.print });
      Object.assign(services, { preferences: { service: preferenceService, repository: store.preferences } });
      const schema = await buildGatewaySchema();
      registerCors(app, config.corsOrigins);
      registerMetricsRoute(app, metrics);
      if (config.env !== 'production') registerIde(app);
      const graphql = await registerGraphql(app, {
        schema,
        services,
        authenticator,
        rateLimiter,
        introspection: config.env !== 'production',
        logger,
        plugins: [metricsApolloPlugin<GatewayContext>(metrics)],
      });
      const receiptsRedis = createRedis(endpoints.redisUrl, 'client', 'ccm-webhook');
      receiptsRedis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
      stack.push(['webhook receipts', async () => {
        await receiptsRedis.quit().catch(() => receiptsRedis.disconnect());
      }]);
      const receipts = new SendReceipts(receiptsRedis, { prefix: config.queuePrefix });
      registerTwilioWebhook(app, {
        authToken: endpoints.twilio.authToken,
        publicUrl: config.publicUrl,
        logger,
        // A fast provider can call back before the worker has recorded the SID: the delivery id in the
        // callback URL and the send receipt find it (see matchProviderReport). WhatsApp's "read" is an engagement.
        onStatus: async (update) => {
          await applyProviderReport({ repository, events, dispatcher, backoffice, channels, logger, receipts, engagement }, update);
        },
      });
      // Inbound SMS/WhatsApp: keywords change consents, replies go out through the channel's own provider.
      const replyModules = channels.modules.filter((m) => m.textReply);
      const replyProviders = createProviders(replyModules, { config, endpoints, archive });
      stack.push(['reply providers', async () => {
        await Promise.all(Object.values(replyProviders).map((p) => p.close?.()));
      }]);
      const inbound = new InboundService({
        repository: store.preferences,
        preferences: preferenceService,
        directory: backoffice.crm,
        contacts,
        engagement,
        replies: providerReplies(Object.fromEntries(replyModules.map((module) => [module.id, { module, provider: replyProviders[module.id]! }]))),
        senderName: config.senderAddress[0],
        logger,
      });
      registerTwilioInboundWebhook(app, { authToken: endpoints.twilio.authToken, publicUrl: config.publicUrl, logger, onMessage: (message) => inbound.handle(message) });
      registerHealthRoutes(app, [
        { name: 'database', check: () => store.check() },
        { name: 'redis', check: () => dispatcher.ping() },
      ], { extra: () => ({ backoffice: Object.fromEntries(backoffice.health().map((h) => [h.system, h.state])) }) });
      registerDocumentsRoute(app, archive, {
        // The download goes on whatever happens to the signal: the customer asked for the document.
        onPortalDownload: (documentId) => engagement.documentRead(documentId, { downloaded: true, by: 'portal' }).then(
          () => undefined,
          (error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'portal download could not be recorded'),
        ),
      });
      registerTrackingRoutes(app, engagement, logger);
      registerPreviewsRoute(app, previewStore);
      registerPrintBatchesRoute(app, printApi.print, logger);
      await registerQueueDashboard(app, { queues: dispatcher.queues(), authenticator });
      registerConsole(app, { authenticator, queueCounts: () => dispatcher.queueCounts() });
      url = await app.listen({ port: config.port, host: config.host });
      const listening = app;
      stack.push(['http', async () => {
        await graphql.stop();
        await listening.close();
      }]);
    }
    const parts: GatewayParts = { backoffice, repository, archive, templates, channels, dispatcher, events, workers: pipelineWorkers };
    return { url, endpoints, app, store, bounceUrl, parts, close };
  } catch (error) {
    await close();
    throw error;
  }
}
