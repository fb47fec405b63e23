import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/*
 * Written by hand with the Table API so that the same migration runs on SQLite
 * and PostgreSQL. Enumerations are plain strings (no database enum types) and
 * timestamps are epoch milliseconds, for the same reason. Index and constraint
 * names match the entities' decorators, so a schema diff stays empty.
 */

const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
const ref = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable });
const text = (name: string, length: number | null, nullable = false): TableColumnOptions =>
  length === null ? { name, type: 'text', isNullable: nullable } : { name, type: 'varchar', length: String(length), isNullable: nullable };
const ms = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable });
const int = (name: string, nullable = false, defaultValue?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});

export class InitialSchema1767225600000 implements MigrationInterface {
  readonly name = 'InitialSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'communication',
        columns: [
          id(),
          text('callerId', 200),
          text('idempotencyKey', 200, true),
          text('customerId', 100),
          text('contractId', 100, true),
          text('templateKey', 100),
          text('channelPolicy', 20),
          text('requestedChannels', null, true),
          text('data', null),
          text('priority', 10),
          text('status', 20),
          ms('createdAt'),
          ms('scheduledAt', true),
          ms('queuedAt', true),
          ms('updatedAt'),
          int('version'),
        ],
        indices: [
          { name: 'UQ_communication_caller_idempotency', columnNames: ['callerId', 'idempotencyKey'], isUnique: true },
          { name: 'IDX_communication_customer_created', columnNames: ['customerId', 'createdAt', 'id'] },
          { name: 'IDX_communication_status_created', columnNames: ['status', 'createdAt', 'id'] },
          { name: 'IDX_communication_created', columnNames: ['createdAt', 'id'] },
          { name: 'IDX_communication_queued', columnNames: ['queuedAt'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'document',
        columns: [
          id(),
          ref('communicationId'),
          text('customerId', 100),
          text('kind', 100),
          text('mimeType', 100),
          int('pages', true),
          int('sizeBytes'),
          text('sha256', 64),
          text('storageKey', 200),
          ms('createdAt'),
        ],
        indices: [
          { name: 'UQ_document_communication_sha256', columnNames: ['communicationId', 'sha256'], isUnique: true },
          { name: 'IDX_document_customer_created', columnNames: ['customerId', 'createdAt', 'id'] },
          { name: 'IDX_document_sha256', columnNames: ['sha256'] },
        ],
        foreignKeys: [
          {
            name: 'FK_document_communication',
            columnNames: ['communicationId'],
            referencedTableName: 'communication',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'delivery',
        columns: [
          id(),
          ref('communicationId'),
          text('customerId', 100),
          int('ordinal'),
          text('channel', 10),
          text('status', 20),
          text('recipient', null, true),
          int('attempts', false, 0),
          text('providerMessageId', 200, true),
          text('error', null, true),
          text('fallbackChannels', null),
          ref('previousDeliveryId', true),
          ref('documentId', true),
          ms('queuedAt', true),
          ms('createdAt'),
          ms('updatedAt'),
          int('version'),
        ],
        indices: [
          { name: 'IDX_delivery_communication', columnNames: ['communicationId', 'ordinal'] },
          { name: 'IDX_delivery_customer', columnNames: ['customerId'] },
          { name: 'IDX_delivery_provider_message', columnNames: ['providerMessageId'] },
          { name: 'IDX_delivery_created', columnNames: ['createdAt'] },
          { name: 'IDX_delivery_queued', columnNames: ['queuedAt'] },
          // At most one fallback per delivery: makes addFallbackDelivery safe against races.
          { name: 'UQ_delivery_previous', columnNames: ['previousDeliveryId'], isUnique: true },
        ],
        foreignKeys: [
          {
            name: 'FK_delivery_communication',
            columnNames: ['communicationId'],
            referencedTableName: 'communication',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_delivery_previous',
            columnNames: ['previousDeliveryId'],
            referencedTableName: 'delivery',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
          {
            name: 'FK_delivery_document',
            columnNames: ['documentId'],
            referencedTableName: 'document',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'delivery_event',
        columns: [id(), ref('deliveryId'), int('seq'), ms('at'), text('status', 20), text('detail', null, true)],
        indices: [{ name: 'UQ_delivery_event_seq', columnNames: ['deliveryId', 'seq'], isUnique: true }],
        foreignKeys: [
          {
            name: 'FK_delivery_event_delivery',
            columnNames: ['deliveryId'],
            referencedTableName: 'delivery',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['delivery_event', 'delivery', 'document', 'communication']) {
      await queryRunner.dropTable(table);
    }
  }
}
