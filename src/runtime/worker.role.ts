import type { Logger } from 'pino';
import { startBounceListener } from '../channels/email/bounce.listener';
import { SmtpEmailProvider } from '../channels/email/email.smtp';
import type { MessageLinks } from '../channels/channel.module';
import type { ChannelRegistry } from '../channels/registry';
import type { Config } from '../config';
import type { Backoffice } from '../connectors/backoffice';
import { Channel, DeliveryStatus } from '../domain';
import type { Dispatcher } from '../jobs/dispatcher';
import type { OutcomeDeps } from '../jobs/pipeline.deps';
import { applyProviderOutcome } from '../jobs/provider-outcome';
import type { StatusEvents } from '../jobs/status.events';
import { startWorkers, type RunningWorkers, type WorkerDeps } from '../jobs/workers';
import { inlineLetterRenderer, LetterThreadPool } from '../render/pdf.renderers';
import type { TemplateCatalog } from '../render/template.catalog';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DocumentArchive } from '../store/document.archive';
import { createProviders } from './channel.providers';
import type { Endpoints } from './embedded.services';

export interface WorkerRoleDeps {
  readonly config: Config;
  readonly endpoints: Endpoints;
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly backoffice: Backoffice;
  readonly templates: TemplateCatalog;
  readonly templateVersions?: { ensure(templateKey: string, version: number): Promise<void> };
  readonly channels: ChannelRegistry;
  readonly events: StatusEvents;
  readonly dispatcher: Dispatcher;
  /** The links messages write (view online, open pixel). */
  readonly links: MessageLinks;
  /** Hard bounces mark the address unusable (the preference centre). */
  readonly bounces?: OutcomeDeps['bounces'];
  readonly logger: Logger;
  /** Over what the configuration gives (see GatewayOptions.workers). */
  readonly tuning?: WorkerTuning;
}

/** Worker settings a test may set beyond the configuration. */
export type WorkerTuning = Partial<Pick<WorkerDeps, 'concurrency' | 'limiter' | 'sweepIntervalMs' | 'sweepGraceMs' | 'staleAfterMs' | 'maxLostJobs' | 'shutdownGraceMs' | 'clock'>>;

export interface WorkerRole {
  /** Where DSNs for VERP bounce addresses are accepted; null when off. */
  readonly bounceUrl: string | null;
  readonly workers: RunningWorkers;
  close(): Promise<void>;
}

/** The providers (one per channel), the BullMQ workers and the inbound bounce listener. */
export async function startWorkerRole(deps: WorkerRoleDeps): Promise<WorkerRole> {
  const { config, endpoints, logger } = deps;
  const providers = createProviders(deps.channels.modules, deps);
  // The listener takes the addresses the email provider writes: the domain of MAIL_FROM.
  const email = providers[Channel.EMAIL];
  const bounceDomain = email instanceof SmtpEmailProvider ? email.bounceDomain : null;
  const [senderName, ...senderLines] = config.senderAddress;
  const concurrency = config.workerConcurrency;
  // Letters render on threads when RENDER_THREADS asks for it; either way with DOCUMENT_PDFA's fonts, and
  // without a country line for addresses in the country they are posted in (DIN 5008; PRINT_HOME_COUNTRY).
  const letterOptions = { pdfa: config.documentPdfa, layout: { homeCountry: config.print.homeCountry } };
  const letters = config.renderThreads > 0 ? new LetterThreadPool({ ...letterOptions, threads: config.renderThreads }) : inlineLetterRenderer(letterOptions);
  const workers = await startWorkers({
    connection: endpoints.redisUrl,
    prefix: config.queuePrefix,
    repository: deps.repository,
    archive: deps.archive,
    backoffice: deps.backoffice,
    templates: deps.templates,
    templateVersions: deps.templateVersions,
    attachmentPasswordField: config.attachmentPasswordField,
    attachmentPasswordSecret: config.documentSigningSecret,
    channels: deps.channels,
    letters,
    links: deps.links,
    providers,
    events: deps.events,
    dispatcher: deps.dispatcher,
    sender: { name: senderName, addressLines: senderLines, returnLine: [senderName, ...senderLines].join(' · ') },
    concurrency: {
      render: concurrency,
      ...Object.fromEntries(deps.channels.modules.map((m) => [m.key, Math.max(1, Math.floor(concurrency * (m.concurrencyShare ?? 1)))])),
    },
    // BullMQ's global limiter: the provider's contracted rate holds across every worker process.
    limiter: Object.fromEntries(Object.entries(config.channelRateLimits).map(([channel, perSecond]) => [channel, { max: perSecond, duration: 1_000 }])),
    logger,
    quietHours: config.quietHours,
    escalationStopOnOpen: config.escalation.stopOnOpen,
    ...deps.tuning,
  }).catch(async (error: unknown) => {
    await letters.close();
    throw error;
  });

  let bounces: { url: string; close(): Promise<void> } | null = null;
  if (bounceDomain !== null && (config.bounceSmtpPort !== null || config.env !== 'production')) {
    bounces = await startBounceListener({
      host: config.host,
      port: config.bounceSmtpPort ?? 0,
      bounceDomain,
      logger,
      onBounce: async ({ deliveryId, status, detail }) => {
        await applyProviderOutcome({ ...deps, logger }, { deliveryId, status: status === DeliveryStatus.DELIVERED ? DeliveryStatus.DELIVERED : DeliveryStatus.BOUNCED, detail });
      },
    });
  }

  return {
    bounceUrl: bounces?.url ?? null,
    workers,
    close: async () => {
      await bounces?.close();
      await workers.close();
      await letters.close();
      await Promise.all(Object.values(providers).map((p) => p.close?.()));
    },
  };
}
