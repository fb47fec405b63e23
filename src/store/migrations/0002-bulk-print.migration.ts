import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/*
 * Bulk sends (batch runs, their listed targets and what became of each target)
 * and print output (closed print batches and their letters). Same conventions
 * as the initial migration: Table API, plain strings, epoch milliseconds, names
 * matching the entities' decorators. No foreign keys: members and letters are
 * written in bulk and never deleted on their own, and the entities declare no
 * relations (a schema diff stays empty).
 */

const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const ms = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable });
const int = (name: string, defaultValue?: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
});

export class BulkAndPrint1767312000000 implements MigrationInterface {
  readonly name = 'BulkAndPrint1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'bulk_batch',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('callerId', 200),
          str('batchKey', 150),
          int('run'),
          str('templateKey', 100),
          str('channelPolicy', 20),
          text('requestedChannels', true),
          text('data'),
          str('priority', 10),
          ms('scheduledAt', true),
          text('target'),
          str('status', 20),
          int('total', undefined, true),
          int('nextChunk', 0),
          text('cursor', true),
          int('targeted', 0),
          int('created', 0),
          int('duplicates', 0),
          int('rejected', 0),
          ms('previousRunEndedAt', true),
          text('error', true),
          ms('createdAt'),
          ms('updatedAt'),
          ms('expandedAt', true),
          ms('endedAt', true),
          int('version'),
        ],
        indices: [
          { name: 'UQ_bulk_batch_caller_key_run', columnNames: ['callerId', 'batchKey', 'run'], isUnique: true },
          { name: 'IDX_bulk_batch_status', columnNames: ['status', 'updatedAt'] },
          { name: 'IDX_bulk_batch_created', columnNames: ['createdAt', 'id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bulk_batch_target',
        columns: [
          { ...str('batchId', 36), isPrimary: true },
          { ...int('chunk'), isPrimary: true },
          text('customerIds'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bulk_batch_member',
        columns: [
          { ...str('batchId', 36), isPrimary: true },
          { ...str('customerId', 100), isPrimary: true },
          str('outcome', 10),
          str('communicationId', 36, true),
          str('reason', 300, true),
        ],
        indices: [{ name: 'IDX_bulk_batch_member_outcome', columnNames: ['batchId', 'outcome'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'print_batch',
        columns: [
          { ...str('id', 36), isPrimary: true },
          { name: 'duplex', type: 'boolean' },
          int('letters'),
          int('pages'),
          int('blankPages'),
          int('sheets'),
          int('grams'),
          str('directory', 200),
          str('sha256', 64),
          text('totals'),
          ms('createdAt'),
        ],
        indices: [{ name: 'IDX_print_batch_created', columnNames: ['createdAt', 'id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'print_letter',
        columns: [
          { ...str('deliveryId', 36), isPrimary: true },
          str('printBatchId', 36),
          int('sequence'),
          str('communicationId', 36),
          str('customerId', 100),
          int('pages'),
          int('sheets'),
          int('firstPage'),
          str('weightClass', 10),
          int('grams'),
          str('postalZone', 10),
          str('country', 2),
          str('postalCode', 20),
        ],
        indices: [{ name: 'IDX_print_letter_batch', columnNames: ['printBatchId', 'sequence'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['print_letter', 'print_batch', 'bulk_batch_member', 'bulk_batch_target', 'bulk_batch']) {
      await queryRunner.dropTable(table);
    }
  }
}
