import 'reflect-metadata';
import { ConfigError, loadConfig, readDotEnv } from './config';
import { createLogger } from './runtime/logger';
import type { Role } from './runtime/gateway';
import { join } from 'node:path';

const ROLES = ['api', 'worker', 'all', 'backoffice'] as const;
/** Longer than the workers' shutdown grace (10 s) plus the hand-back of unfinished jobs. */
const FORCE_EXIT_MS = 25_000;
type CliRole = (typeof ROLES)[number];

async function main(): Promise<void> {
  const roleArg = process.argv[2] ?? 'all';
  if (!(ROLES as readonly string[]).includes(roleArg)) {
    console.error(`role: expected one of ${ROLES.join(', ')}, got ${JSON.stringify(roleArg)}`);
    process.exit(2);
  }
  const role = roleArg as CliRole;
  let config;
  try {
    config = loadConfig(readDotEnv(join(process.cwd(), '.env'), process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  // Tracing first: its instrumentations patch http, ioredis and pg as they are loaded, so the gateway is loaded after.
  // Loaded only when on: the SDK and its instrumentations add about a fifth to the start-up time.
  const tracing = config.telemetry && role !== 'backoffice' ? (require('./telemetry/tracing') as typeof import('./telemetry/tracing')).startTracing(config.telemetry, role) : null;
  let stop: () => Promise<void>;
  const flavour = process.argv.includes('--flavour') ? process.argv[process.argv.indexOf('--flavour') + 1] : 'default';
  if (role === 'backoffice' && flavour !== 'default' && flavour !== 'legacy') {
    console.error(`--flavour: expected default or legacy, got ${JSON.stringify(flavour ?? '')}`);
    process.exit(2);
  }
  if (role === 'backoffice' && flavour === 'legacy') {
    // The legacy set: SOAP CRM, PostgreSQL policy register (CONTRACTS_DATABASE_URL), OAuth2 catalog; config/backoffice.legacy.yaml connects it.
    if (!config.contractsDatabaseUrl?.startsWith('postgres')) {
      console.error('configuration error: CONTRACTS_DATABASE_URL: expected a postgres:// URL for --flavour legacy, got ' + (config.contractsDatabaseUrl ? 'another scheme' : 'nothing'));
      process.exit(2);
    }
    const { startLegacyBackoffice } = require('../backoffice/legacy/legacy.server') as typeof import('../backoffice/legacy/legacy.server');
    const legacy = await startLegacyBackoffice({ seed: config.backoffice.seed, contractsDatabaseUrl: config.contractsDatabaseUrl, host: config.host, port: config.port + 10 });
    console.log(['simulated legacy back-office (BACKOFFICE_CONFIG=config/backoffice.legacy.yaml)', ...Object.entries(legacy.env).map(([k, v]) => `  ${k}=${v}`)].join('\n'));
    stop = () => legacy.close();
  } else if (role === 'backoffice') {
    const { startBackoffice } = require('../backoffice/server') as typeof import('../backoffice/server');
    const { startSmtpSink } = require('../backoffice/sinks/smtp.sink') as typeof import('../backoffice/sinks/smtp.sink');
    const { startTwilioSink } = require('../backoffice/sinks/twilio.sink') as typeof import('../backoffice/sinks/twilio.sink');
    const backoffice = await startBackoffice({ ...config.backoffice, contractsDatabaseUrl: config.contractsDatabaseUrl ?? `sqlite:${join(config.dataDir, 'contracts.sqlite')}`, host: config.host, port: config.port + 10 });
    // The SMTP and Twilio-compatible sinks too, so that several gateway processes share one simulated world (docs/operations.md).
    const smtp = await startSmtpSink({ host: config.host, port: config.port + 12, dir: join(config.dataDir, 'outbox', 'email') });
    const sms = await startTwilioSink({ host: config.host, port: config.port + 13, dir: join(config.dataDir, 'outbox', 'sms'), ...(config.twilio ? { accountSid: config.twilio.accountSid, authToken: config.twilio.authToken } : {}) });
    const lines = [`  CRM_URL=${backoffice.crmUrl}`, `  CATALOG_URL=${backoffice.catalogUrl}`, `  CONTRACTS_DATABASE_URL=${backoffice.contractsDatabaseUrl}`, `  SMTP_URL=${smtp.url}`, `  TWILIO_API_URL=${sms.url}`];
    if (!config.twilio) lines.push(`  TWILIO_ACCOUNT_SID=${sms.accountSid}`, `  TWILIO_AUTH_TOKEN=${sms.authToken}`);
    console.log(['simulated back-office', ...lines].join('\n'));
    stop = async () => {
      await Promise.all([backoffice.close(), smtp.close(), sms.close()]);
    };
  } else {
    const { startGateway } = require('./runtime/gateway') as typeof import('./runtime/gateway');
    const gateway = await startGateway(config, role as Role, logger);
    const lines = [`ccm-gateway (${role}) is running`];
    if (gateway.url) lines.push(`  GraphQL    ${config.publicUrl}/graphql  (IDE in a browser${config.env === 'production' ? ': off in production' : ''})`, `  health     ${config.publicUrl}/healthz  ${config.publicUrl}/readyz`, `  metrics    ${config.publicUrl}/metrics`);
    for (const line of gateway.endpoints.embedded) lines.push(`  embedded   ${line}`);
    if (config.telemetry) lines.push(`  traces     ${config.telemetry.tracesUrl}  (OTLP/HTTP, sampler ${config.telemetry.sampler})`);
    console.log(lines.join('\n'));
    stop = async () => {
      await gateway.close();
      await tracing?.shutdown();
    };
  }
  // First signal: stop taking work (HTTP first, then the workers stop fetching jobs), let running
  // jobs finish within the workers' grace period, close connections in order. Second signal: exit now.
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once; unfinished jobs are taken over by other workers once their locks expire');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: no new work, running jobs finish (send the signal again to exit at once)');
    const force = setTimeout(() => {
      logger.error({ afterMs: FORCE_EXIT_MS }, 'still stopping: exiting');
      process.exit(1);
    }, FORCE_EXIT_MS);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // Configuration found wrong only once a system is reached (an OpenAPI document without a configured operation).
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
    process.exit(2);
  }
  console.error(`ccm-gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
