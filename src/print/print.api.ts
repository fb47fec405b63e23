import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { OutcomeDeps } from '../jobs/pipeline.deps';
import { silentLogger } from '../jobs/pipeline.deps';
import { createRedis } from '../jobs/redis.connection';
import type { GatewayServices } from '../services/gateway.services';
import type { PostageOptions } from './postage';
import type { CloseOptions, PrintCloserDeps } from './print-batch.closer';
import { PrintBatchLinks, type LinkSigner } from './print-batch.links';
import { PrintService } from './print.service';
import { PrintBatchRepository } from '../store/print-batch.repository';

export interface PrintApiDeps {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly dataSource: DataSource;
  /** Spool `<dataDir>/print-spool`, batches `<dataDir>/print-batches`. */
  readonly dataDir: string;
  readonly outcomes: OutcomeDeps;
  readonly postage: PostageOptions;
  /** Options of a closing requested without its own. */
  readonly defaults: CloseOptions;
  /** Signs download links: the document archive. */
  readonly signer: LinkSigner;
  /** Base of download links (`PUBLIC_URL`). */
  readonly publicUrl: string;
}

export interface PrintApi {
  readonly print: PrintService;
  /** What the scheduled closer needs too. */
  readonly closer: PrintCloserDeps;
  close(): Promise<void>;
}

/** Print output for one process (API or worker); `close()` stops its Redis connection. */
export function createPrintApi(deps: PrintApiDeps): PrintApi {
  const logger = deps.outcomes.logger ?? silentLogger();
  const redis = createRedis(deps.redisUrl, 'client', 'ccm-print');
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
  const store = new PrintBatchRepository(deps.dataSource);
  const closer: PrintCloserDeps = {
    spoolDir: join(deps.dataDir, 'print-spool'),
    dataDir: deps.dataDir,
    store,
    repository: deps.outcomes.repository,
    redis,
    prefix: deps.prefix,
    logger,
    postage: deps.postage,
  };
  return {
    print: new PrintService({ closer, store, outcomes: deps.outcomes, defaults: deps.defaults, links: new PrintBatchLinks(deps.signer, deps.publicUrl) }),
    closer,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The print service of the running gateway (added to the services object by the composition root). */
export function printServiceOf(services: GatewayServices): PrintService {
  const print = services.print;
  if (!print) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'print output is not enabled in this process');
  return print;
}
