import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startBackoffice, type RunningBackoffice } from '../../backoffice/server';
import { startSmtpSink, type SmtpSink } from '../../backoffice/sinks/smtp.sink';
import { startTwilioSink, type TwilioSink, type TwilioSinkOptions } from '../../backoffice/sinks/twilio.sink';
import { loadConfig, type Config } from '../../src/config';
import { startGateway, type Gateway, type GatewayOptions, type Role } from '../../src/runtime/gateway';
import { freePort } from '../../src/store/redis.process';

export interface Harness {
  readonly url: string;
  readonly config: Config;
  readonly gateway: Gateway;
  readonly backoffice: RunningBackoffice;
  readonly smtp: SmtpSink;
  readonly sms: TwilioSink;
  /** POST /graphql with JSON; returns the parsed body and the status. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] } }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly role?: Role;
  /** Passed to startGateway as they are (e.g. `workers: { clock }`). */
  readonly gateway?: GatewayOptions;
  readonly env?: Record<string, string>;
  readonly customers?: number;
  readonly contracts?: number;
  readonly products?: number;
  /** Default: SQLite in a temp folder. */
  readonly databaseUrl?: string;
  /** Options of the Twilio-compatible sink, e.g. `invalidNumber`. */
  readonly twilio?: Partial<TwilioSinkOptions>;
  /** Where simulated business customers' document endpoints point (`<base>/<customerId>`). */
  readonly webhookBaseUrl?: string;
  /** The gateway's logger, e.g. to read what it logs. Default: silent. */
  readonly logger?: pino.Logger;
}

/**
 * The whole gateway as `npm start` runs it, on loopback: the simulated
 * back-office, the SMTP and Twilio-compatible sinks, the shared test Redis
 * under a fresh queue prefix, and a fresh store.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-gw-'));
  const backoffice = await startBackoffice({
    customers: options.customers ?? 300,
    contracts: options.contracts ?? 700,
    products: options.products ?? 40,
    contractsDatabaseUrl: `sqlite:${join(dir, 'contracts.sqlite')}`,
    webhookBaseUrl: options.webhookBaseUrl ?? null,
  });
  const smtp = await startSmtpSink();
  const sms = await startTwilioSink({ callbacks: { delayMs: 100 }, ...options.twilio });
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: 'silent',
    DATA_DIR: dir,
    REDIS_URL: process.env.TEST_REDIS_URL,
    DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dir, 'gateway.sqlite')}`,
    CRM_URL: backoffice.crmUrl,
    CATALOG_URL: backoffice.catalogUrl,
    CONTRACTS_DATABASE_URL: backoffice.contractsDatabaseUrl,
    SMTP_URL: smtp.url,
    TWILIO_ACCOUNT_SID: sms.accountSid,
    TWILIO_AUTH_TOKEN: sms.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_URL: sms.url,
    QUEUE_PREFIX: `{t${process.pid}x${Math.random().toString(36).slice(2, 8)}}`,
    BACKOFFICE_TIMEOUT_MS: '1500',
    ...options.env,
  });
  const gateway = await startGateway(config, options.role ?? 'all', options.logger ?? pino({ level: 'silent' }), options.gateway);
  const url = gateway.url ?? '';
  return {
    url,
    config,
    gateway,
    backoffice,
    smtp,
    sms,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as never };
    },
    async close() {
      await gateway.close();
      await Promise.all([backoffice.close(), smtp.close(), sms.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
