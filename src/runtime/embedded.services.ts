import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBackoffice } from '../../backoffice/server';
import { startSmtpSink } from '../../backoffice/sinks/smtp.sink';
import { startTwilioSink } from '../../backoffice/sinks/twilio.sink';
import type { Config } from '../config';
import { startLocalRedis } from '../store/redis.process';

/** Where each external system is, after filling the gaps with embedded ones. */
export interface Endpoints {
  readonly redisUrl: string;
  /** Null with BACKOFFICE_CONFIG: the file says where the systems are. */
  readonly crmUrl: string | null;
  readonly catalogUrl: string | null;
  readonly contractsDatabaseUrl: string | null;
  readonly smtpUrl: string;
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly from: string | null; readonly messagingServiceSid: string | null; readonly apiUrl: string | null };
  /** What was started here, for the start-up banner. */
  readonly embedded: readonly string[];
  close(): Promise<void>;
}

interface Closable {
  close(): Promise<void>;
}

/**
 * `npm start` with nothing configured runs everything on loopback: a
 * `redis-server` child, the simulated back-office, an SMTP sink and a
 * Twilio-compatible endpoint, capturing under `var/`. Anything configured is
 * used as is; the code paths are the production ones, only endpoints differ.
 */
export async function startEmbeddedServices(config: Config, log: { info(obj: object, msg: string): void }): Promise<Endpoints> {
  const started: Closable[] = [];
  const embedded: string[] = [];
  const close = async (): Promise<void> => {
    for (const service of started.reverse()) await service.close().catch(() => undefined);
  };
  try {
    await mkdir(config.dataDir, { recursive: true });
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const redis = await startLocalRedis({ dir: join(config.dataDir, 'redis') });
      started.push(redis);
      redisUrl = redis.url;
      embedded.push(`redis ${redis.url}`);
    }
    let { crmUrl, catalogUrl, contractsDatabaseUrl } = config;
    if (!config.backofficeConfig && (!crmUrl || !catalogUrl || !contractsDatabaseUrl)) {
      const backoffice = await startBackoffice({
        ...config.backoffice,
        contractsDatabaseUrl: contractsDatabaseUrl ?? `sqlite:${join(config.dataDir, 'contracts.sqlite')}`,
      });
      started.push(backoffice);
      crmUrl ??= backoffice.crmUrl;
      catalogUrl ??= backoffice.catalogUrl;
      contractsDatabaseUrl ??= backoffice.contractsDatabaseUrl;
      embedded.push(`simulated CRM ${backoffice.crmUrl}`, `simulated catalog ${backoffice.catalogUrl}`, `simulated contracts ${backoffice.contractsDatabaseUrl}`);
      log.info({ customers: config.backoffice.customers, contracts: config.backoffice.contracts, products: config.backoffice.products }, 'simulated back-office started');
    }
    let smtpUrl = config.smtpUrl;
    if (!smtpUrl) {
      const sink = await startSmtpSink({ dir: join(config.dataDir, 'outbox', 'email') });
      started.push(sink);
      smtpUrl = sink.url;
      embedded.push(`SMTP sink ${sink.url} (messages in ${join(config.dataDir, 'outbox', 'email')})`);
    }
    let twilio: Endpoints['twilio'];
    if (config.twilio) {
      twilio = { ...config.twilio, apiUrl: config.twilioApiUrl };
    } else {
      const sink = await startTwilioSink({ dir: join(config.dataDir, 'outbox', 'sms') });
      started.push(sink);
      twilio = { accountSid: sink.accountSid, authToken: sink.authToken, from: '+15005550006', messagingServiceSid: null, apiUrl: sink.url };
      embedded.push(`Twilio-compatible sink ${sink.url} (messages in ${join(config.dataDir, 'outbox', 'sms')})`);
    }
    return { redisUrl, crmUrl, catalogUrl, contractsDatabaseUrl, smtpUrl, twilio, embedded, close };
  } catch (error) {
    await close();
    throw error;
  }
}
