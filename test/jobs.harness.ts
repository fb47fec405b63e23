import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { startBackoffice, type RunningBackoffice } from '../backoffice/server';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../backoffice/sinks/smtp.sink';
import { startTwilioSink, type TwilioSink, type TwilioSinkOptions } from '../backoffice/sinks/twilio.sink';
import type { ChannelModule } from '../src/channels/channel.module';
import { LetterSpoolProvider } from '../src/channels/letter/letter.spool';
import { builtInChannels, type ChannelRegistry } from '../src/channels/registry';
import { documentReaderOf } from '../src/jobs/document.reader';
import type { ConnectedBackoffice } from '../src/connectors/backoffice.factory';
import { loadConfig } from '../src/config';
import { Channel, ChannelPolicy, CommunicationStatus, Priority } from '../src/domain';
import type { Dispatcher } from '../src/jobs/dispatcher';
import { enqueueCommunication } from '../src/jobs/outbox.enqueue';
import type { JobOptionsOverrides } from '../src/jobs/queue.names';
import type { StatusEvents } from '../src/jobs/status.events';
import type { RunningWorkers, WorkerDeps } from '../src/jobs/workers';
import type { TemplateCatalog } from '../src/render/template.catalog';
import { startGateway } from '../src/runtime/gateway';
import type { CommunicationEntity } from '../src/store/communication.entity';
import type { CommunicationRepository, CreateCommunicationInput } from '../src/store/communication.repository';
import type { Store } from '../src/store/data-source';
import type { DocumentArchive } from '../src/store/document.archive';
import { createDatabase } from './support/postgres.cluster';

/** The whole pipeline on loopback for the jobs suites: real Redis, store, back-office, sinks and providers. */
export interface Pipeline {
  readonly prefix: string;
  readonly redisUrl: string;
  readonly dir: string;
  readonly bo: RunningBackoffice;
  readonly backoffice: ConnectedBackoffice;
  readonly store: Store;
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly templates: TemplateCatalog;
  readonly channels: ChannelRegistry;
  readonly mail: SmtpSink;
  readonly sms: TwilioSink;
  readonly letters: LetterSpoolProvider;
  readonly dispatcher: Dispatcher;
  readonly events: StatusEvents;
  readonly workers: RunningWorkers;
  /** Records a communication as the API does (recipients from the CRM) and, unless told not to, enqueues it. */
  send(request: SendRequest, options?: { readonly enqueue?: boolean }): Promise<CommunicationEntity>;
  /** Polls the store until the communication's status satisfies `accept`. */
  waitFor(communicationId: string, accept: (status: CommunicationStatus) => boolean, timeoutMs?: number): Promise<CommunicationEntity>;
  close(): Promise<void>;
}

export interface SendRequest {
  readonly customerId?: string;
  readonly contractId?: string | null;
  readonly templateKey?: string;
  readonly chain: readonly Channel[];
  /** Overrides the first channel's recipient. */
  readonly recipient?: string | null;
  readonly data?: Record<string, unknown>;
  readonly priority?: Priority;
  readonly scheduledAt?: Date | null;
}

export interface PipelineOptions {
  readonly database?: 'sqlite' | 'postgres';
  readonly jobOptions?: JobOptionsOverrides;
  readonly sweepIntervalMs?: number;
  readonly smtp?: SmtpSinkOptions;
  readonly twilio?: TwilioSinkOptions;
  readonly worker?: Partial<Pick<WorkerDeps, 'concurrency' | 'limiter' | 'sweepGraceMs' | 'staleAfterMs' | 'maxLostJobs'>>;
  /** Channel modules beyond the built-in ones (a test-only channel). */
  readonly extraChannels?: readonly ChannelModule[];
  /** Default: the project's templates/. */
  readonly templatesDir?: string;
  /** Where simulated business customers' document endpoints point (`<base>/<customerId>`). */
  readonly webhookBaseUrl?: string;
  /** WEBHOOK_ALLOW_PRIVATE; default true (the test receivers are on loopback). */
  readonly webhookAllowPrivate?: boolean;
}

export const invoiceData = {
  invoiceNumber: 'INV-2026-000123',
  amountDue: { amount: '1234.50', currency: 'EUR' },
  dueDate: '2026-12-15',
};
export const FROM = 'Customer Service <service@bank.example>';
export const WEBHOOK_KEY = 'jobs-test-webhook-signing-key-0123456789abcdef';
export const sender = {
  name: 'Helvetia Assurances',
  addressLines: ['Service clients', '5 place de la Bourse', '69002 Lyon'],
  returnLine: 'Helvetia Assurances · 5 place de la Bourse · 69002 Lyon',
};
/** Short backoffs, so retries happen within a test. */
export const FAST_RETRIES: JobOptionsOverrides = {
  render: { attempts: 3, backoff: { type: 'fixed', delay: 200 } },
  'deliver-email': { backoff: { type: 'provider', delay: 200 } },
  'deliver-sms': { backoff: { type: 'provider', delay: 200 } },
  'deliver-letter': { backoff: { type: 'provider', delay: 200 } },
  'deliver-portal': { backoff: { type: 'provider', delay: 200 } },
  'deliver-whatsapp': { backoff: { type: 'provider', delay: 200 } },
  'deliver-webhook': { backoff: { type: 'provider', delay: 200 } },
};

export function redisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL: expected the URL of the test Redis (set by the jest global setup), got nothing');
  return url;
}

export function freshPrefix(name: string): string {
  return `{jobs-${name}-${randomBytes(4).toString('hex')}}`;
}

async function freshDatabase(kind: 'sqlite' | 'postgres', dir: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite:${join(dir, 'gateway.sqlite')}`, drop: async () => undefined };
  const cluster = process.env.TEST_POSTGRES_URL;
  if (!cluster) throw new Error('TEST_POSTGRES_URL: expected the URL of the test PostgreSQL cluster, got nothing');
  const database = `jobs_${name.replace(/[^a-z0-9]/gi, '_')}_${process.pid}`;
  return {
    url: await createDatabase(cluster, database),
    drop: async () => {
      const client = new Client({ connectionString: cluster });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * The pipeline as a worker process runs it, built by the composition root
 * (`startGateway`, role `worker`) from a configuration pointing at the
 * loopback sinks, a fresh store and the shared test Redis; the options a
 * test needs (short backoffs, sweeper timings, concurrency) go through
 * `GatewayOptions`.
 */
export async function startPipeline(name: string, options: PipelineOptions = {}): Promise<Pipeline> {
  const dir = mkdtempSync(join(tmpdir(), `ccm-jobs-${name}-`));
  const prefix = freshPrefix(name);
  const url = redisUrl();
  const database = await freshDatabase(options.database ?? 'sqlite', dir, name);
  const bo = await startBackoffice({ customers: 50, contracts: 100, products: 20, contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}`, webhookBaseUrl: options.webhookBaseUrl ?? null });
  const mail = await startSmtpSink(options.smtp);
  const sms = await startTwilioSink({ callbacks: false, ...options.twilio });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dir,
    PUBLIC_URL: 'http://127.0.0.1:4000',
    REDIS_URL: url,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: database.url,
    CRM_URL: bo.crmUrl,
    CATALOG_URL: bo.catalogUrl,
    CONTRACTS_DATABASE_URL: bo.contractsDatabaseUrl,
    BACKOFFICE_TIMEOUT_MS: '2000',
    BACKOFFICE_RETRIES: '0',
    CATALOG_CACHE_TTL_MS: '0',
    SMTP_URL: mail.url,
    MAIL_FROM: FROM,
    TWILIO_ACCOUNT_SID: sms.accountSid,
    TWILIO_AUTH_TOKEN: sms.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_URL: sms.url,
    SENDER_ADDRESS: [sender.name, ...sender.addressLines].join('|'),
    DOCUMENT_SIGNING_SECRET: 'jobs-test-secret',
    DOCUMENT_LINK_TTL_SECONDS: '60',
    // Letters stay in the spool for the tests to read: no scheduled print batch.
    PRINT_BATCH_INTERVAL_MS: '0',
    WEBHOOK_SIGNING_KEY: WEBHOOK_KEY,
    WEBHOOK_ALLOW_PRIVATE: String(options.webhookAllowPrivate ?? true),
    WEBHOOK_TIMEOUT_MS: '2000',
  });
  const gateway = await startGateway(config, 'worker', pino({ level: 'silent' }), {
    jobOptions: { ...FAST_RETRIES, ...options.jobOptions },
    ...(options.extraChannels ? { channels: [...builtInChannels(), ...options.extraChannels] } : {}),
    ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}),
    connectors: { breaker: { failureThreshold: 1_000, minimumCalls: 1_000 } },
    workers: { concurrency: { render: 4, email: 4, sms: 4, letter: 2, portal: 2 }, sweepIntervalMs: options.sweepIntervalMs ?? 0, ...options.worker },
  });
  const { backoffice, repository, archive, templates, channels, dispatcher, events } = gateway.parts;
  const workers = gateway.parts.workers!;
  const { store } = gateway;
  // The spool the gateway's letter provider writes to, read through the provider's own naming.
  const letters = new LetterSpoolProvider({ spoolDir: join(dir, 'print-spool'), documents: documentReaderOf(archive) });

  const send: Pipeline['send'] = async (request, sendOptions = {}) => {
    const customerId = request.customerId ?? 'C0000001';
    const [customer] = request.recipient === undefined ? await backoffice.crm.getCustomers([customerId]) : [null];
    const first = request.chain[0];
    const input: CreateCommunicationInput = {
      callerId: 'jobs-test',
      idempotencyKey: null,
      customerId,
      contractId: request.contractId === undefined ? 'K00000001' : request.contractId,
      templateKey: request.templateKey ?? 'invoice-available',
      channelPolicy: ChannelPolicy.PREFERRED,
      requestedChannels: [...request.chain],
      data: request.data ?? invoiceData,
      priority: request.priority ?? Priority.NORMAL,
      scheduledAt: request.scheduledAt ?? null,
      plans: [{ chain: request.chain, recipient: request.recipient !== undefined ? request.recipient : customer ? channels.recipientOf(first, customer) : null }],
    };
    const { communication } = await repository.create(input);
    if (sendOptions.enqueue !== false) await enqueueCommunication({ dispatcher, repository }, communication);
    return communication;
  };

  const waitFor: Pipeline['waitFor'] = async (communicationId, accept, timeoutMs = 8_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const communication = await repository.get(communicationId);
      if (communication && accept(communication.status)) return communication;
      if (Date.now() > deadline) throw new Error(`communication ${communicationId}: expected the awaited status within ${timeoutMs} ms, got ${communication?.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    prefix, redisUrl: url, dir, bo, backoffice, store, repository, archive, templates, channels, mail, sms, letters, dispatcher, events, workers, send, waitFor,
    close: async () => {
      await gateway.close();
      await Promise.all([mail.close(), sms.close(), bo.close()]);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const settled = (status: CommunicationStatus): boolean =>
  [CommunicationStatus.DELIVERED, CommunicationStatus.PARTIALLY_DELIVERED, CommunicationStatus.FAILED, CommunicationStatus.CANCELLED].includes(status);
