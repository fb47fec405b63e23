import type { DataSource } from 'typeorm';
import type { Backoffice } from '../connectors/backoffice';
import { AppError, ErrorCode } from '../errors';
import type { ChannelRegistry } from '../channels/registry';
import type { JobOptionsOverrides } from '../jobs/queue.names';
import type { TemplateCatalog } from '../render/template.catalog';
import type { GatewayServices } from '../services/gateway.services';
import { createRedisBatchEvents } from './batch.events';
import { BatchProgressQueries } from '../store/batch-progress.queries';
import { BatchRepository } from '../store/batch.repository';
import { BulkQueue } from './bulk.queue';
import { BulkService } from './bulk.service';

export interface BulkApiDeps {
  readonly redisUrl: string;
  /** The dispatcher's prefix. */
  readonly prefix: string;
  readonly dataSource: DataSource;
  readonly templates: TemplateCatalog;
  /** Published template versions, synced before use so a run takes the version active now; absent: the files only. */
  readonly templateVersions?: { sync(): Promise<void> };
  readonly channels: ChannelRegistry;
  readonly backoffice: Backoffice;
  readonly logger?: { warn(obj: object, msg: string): void };
  /** Over the job system's defaults (GatewayOptions.jobOptions); the `bulk` entry applies. */
  readonly jobOptions?: JobOptionsOverrides;
}

/** What an API process needs for bulk sends; `close()` stops its Redis connections. */
export interface BulkApi {
  readonly bulk: BulkService;
  close(): Promise<void>;
}

export function createBulkApi(deps: BulkApiDeps): BulkApi {
  const store = new BatchRepository(deps.dataSource);
  const queue = new BulkQueue({ connection: deps.redisUrl, prefix: deps.prefix, jobOptions: deps.jobOptions });
  const events = createRedisBatchEvents({ redisUrl: deps.redisUrl, channel: `${deps.prefix}:batch-progress`, onError: (error) => deps.logger?.warn({ err: error }, 'batch events') });
  const bulk = new BulkService({ store, progress: new BatchProgressQueries(deps.dataSource), queue, events, templates: deps.templates, templateVersions: deps.templateVersions, channels: deps.channels, backoffice: deps.backoffice, logger: deps.logger });
  return {
    bulk,
    close: async () => {
      await Promise.all([queue.close(), events.close()]);
    },
  };
}

/**
 * The bulk service of the running gateway. The composition root adds it to the
 * services object (`Object.assign(services, { bulk })`); a gateway built
 * without it answers SERVICE_UNAVAILABLE instead of failing obscurely.
 */
export function bulkServiceOf(services: GatewayServices): BulkService {
  const bulk = services.bulk;
  if (!bulk) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'bulk sends are not enabled in this process');
  return bulk;
}
