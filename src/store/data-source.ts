import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type ObjectLiteral } from 'typeorm';
import { CommunicationEntity } from './communication.entity';
import { CommunicationRepository } from './communication.repository';
import { DeliveryEventEntity } from './delivery-event.entity';
import { DeliveryEntity } from './delivery.entity';
import { DocumentEntity } from './document.entity';
import { InitialSchema1767225600000 } from './migrations/0001-initial.migration';
import { BatchEntity } from './batch.entity';
import { BatchMemberEntity } from './batch-member.entity';
import { BatchTargetChunkEntity } from './batch-target.entity';
import { BulkAndPrint1767312000000 } from './migrations/0002-bulk-print.migration';
import { PrintBatchEntity } from './print-batch.entity';
import { PrintLetterEntity } from './print-letter.entity';
import { InteractionEntity } from './interaction.entity';
import { ContactMemory1767398400000 } from './migrations/0003-contact-memory.migration';
import { Composition1767571200000 } from './migrations/0005-composition.migration';
import { Approval1767657600000 } from './migrations/0006-approval.migration';
import { TemplateVersions1767744000000 } from './migrations/0007-template-versions.migration';
import { DocumentSnapshot1767830400000 } from './migrations/0008-document-snapshot.migration';
import { TemplateVersionEntity } from './template-version.entity';
import { EngagementEntity } from './engagement.entity';
import { Engagement1767916800000 } from './migrations/0009-engagement.migration';
import { Escalation1768003200000 } from './migrations/0010-escalation.migration';
import { AttachmentProtection1768176000000 } from './migrations/0012-attachment-protection.migration';
import { InteractionTime1768262400000 } from './migrations/0013-interaction-time.migration';
import { TrackingPreference1768089600000 } from './migrations/0011-tracking-preference.migration';
import { CustomerPreferenceEntity } from './customer-preference.entity';
import { InboundMessageEntity } from './inbound-message.entity';
import { Preferences1767484800000 } from './migrations/0004-preferences.migration';
import { PreferenceChangeEntity } from './preference-change.entity';
import { PreferenceRepository } from './preference.repository';
import { startWalCheckpointer, type WalCheckpointer } from './wal.checkpointer';

export const storeEntities = [CommunicationEntity, DeliveryEntity, DeliveryEventEntity, DocumentEntity, BatchEntity, BatchTargetChunkEntity, BatchMemberEntity, PrintBatchEntity, PrintLetterEntity, InteractionEntity, TemplateVersionEntity, CustomerPreferenceEntity, PreferenceChangeEntity, InboundMessageEntity, EngagementEntity];
export const storeMigrations = [InitialSchema1767225600000, BulkAndPrint1767312000000, ContactMemory1767398400000, Preferences1767484800000, Composition1767571200000, Approval1767657600000, TemplateVersions1767744000000, DocumentSnapshot1767830400000, Engagement1767916800000, Escalation1768003200000, TrackingPreference1768089600000, AttachmentProtection1768176000000, InteractionTime1768262400000];

export interface DataSourceOptions {
  /** PostgreSQL connections per process; default 10. */
  readonly poolSize?: number;
  /** How long a SQLite writer waits for another process's lock; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** A SQLite background checkpoint that failed (the next one tries again); default: ignored. */
  readonly onCheckpointError?: (message: string) => void;
}

/** An opened store: the data source, migrated, and the repository on top of it. */
export interface Store {
  readonly dataSource: DataSource;
  readonly communications: CommunicationRepository;
  /** The preference overlay on the CRM, its history, inbound messages. */
  readonly preferences: PreferenceRepository;
  /** For /readyz: rejects when the database cannot answer. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `sqlite:<path>` (relative to the working directory; `sqlite::memory:` for a
 * private in-memory database) or `postgres://…`. Not initialised.
 */
export function createDataSource(databaseUrl: string, options: DataSourceOptions = {}): DataSource {
  const common = { entities: storeEntities, migrations: storeMigrations, synchronize: false, migrationsRun: false, logging: false } as const;
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(databaseUrl);
  if (sqlite) {
    const file = sqlite[1];
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const dataSource = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: file,
      // WAL lets readers in other processes go on while one writes.
      enableWAL: file !== ':memory:',
      timeout: busyTimeoutMs,
      // TypeORM's default of 100 evicts in insertion order; the gateway runs more distinct statements than that.
      statementCacheSize: 1_000,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        // With WAL, NORMAL survives a crash of the process; only a power cut may lose the last commits.
        db.pragma('synchronous = NORMAL');
      },
    });
    bindIntegerParameters(dataSource);
    return dataSource;
  }
  if (/^postgres(?:ql)?:\/\//.test(databaseUrl)) {
    return new DataSource({
      ...common,
      type: 'postgres',
      url: databaseUrl,
      poolSize: options.poolSize ?? 10,
      connectTimeoutMS: 5_000,
      applicationName: 'ccm-gateway',
    });
  }
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(databaseUrl)?.[0] ?? databaseUrl.slice(0, 12);
  throw new Error(`DATABASE_URL: expected sqlite:<path> or postgres://…, got a URL starting with ${JSON.stringify(scheme)}`);
}

/** Initialises the data source and applies pending migrations (never `synchronize`). */
export async function openStore(databaseUrl: string, options: DataSourceOptions = {}): Promise<Store> {
  const dataSource = createDataSource(databaseUrl, options);
  await dataSource.initialize();
  try {
    await migrate(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  const checkpointer = walCheckpointerFor(dataSource, options);
  return {
    dataSource,
    communications: new CommunicationRepository(dataSource),
    preferences: new PreferenceRepository(dataSource),
    check: async () => {
      await dataSource.query('SELECT 1');
    },
    close: async () => {
      await checkpointer?.close();
      await dataSource.destroy();
    },
  };
}

/**
 * A SQLite file's checkpoints on a thread of their own (see `startWalCheckpointer`);
 * the connection's automatic checkpoint moves from 1,000 to 10,000 pages, a backstop.
 */
function walCheckpointerFor(dataSource: DataSource, options: DataSourceOptions): WalCheckpointer | null {
  const file = dataSource.options.type === 'better-sqlite3' ? String(dataSource.options.database) : ':memory:';
  if (file === ':memory:') return null;
  const driver = dataSource.driver as unknown as { databaseConnection: { pragma(source: string): unknown } };
  driver.databaseConnection.pragma('wal_autocheckpoint = 10000');
  return startWalCheckpointer(resolve(file), { onError: options.onCheckpointError });
}

/** Several processes may start at once against one PostgreSQL: an advisory lock lets one of them migrate. */
async function migrate(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('ccm-gateway.store.migrations'))`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('ccm-gateway.store.migrations'))`).catch(() => undefined);
    await runner.release();
  }
}

/**
 * TypeORM's SQLite drivers write numeric parameters into the SQL text, so every
 * timestamp, version or counter makes a statement of its own: better-sqlite3
 * prepares it again each time and its statement cache never hits. Bound
 * instead, as BigInt: SQLite stores a bound BigInt exactly as it would have
 * stored the inlined integer literal (a JS number would bind as REAL).
 */
function bindIntegerParameters(dataSource: DataSource): void {
  type Escape = (sql: string, parameters: ObjectLiteral, nativeParameters: ObjectLiteral) => [string, unknown[]];
  const driver = dataSource.driver as unknown as { escapeQueryWithParameters: Escape };
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    if (!parameters) return escape(sql, parameters, nativeParameters);
    const bound: ObjectLiteral = {};
    for (const [key, value] of Object.entries(parameters)) bound[key] = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
    return escape(sql, bound, nativeParameters);
  };
}
