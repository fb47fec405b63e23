import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/*
 * The preference centre: the overlay on the CRM's preferences, its change
 * history, and inbound SMS/WhatsApp messages. Same conventions as the earlier
 * migrations: Table API, plain strings, epoch milliseconds, no foreign keys
 * (customers live in the CRM), names matching the entities' decorators.
 */

const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const ms = (name: string): TableColumnOptions => ({ name, type: 'bigint', isNullable: false });
const int = (name: string, defaultValue?: number): TableColumnOptions => ({ name, type: 'integer', isNullable: false, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

export class Preferences1767484800000 implements MigrationInterface {
  readonly name = 'Preferences1767484800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'customer_preference',
        columns: [
          { ...str('customerId', 100), isPrimary: true },
          text('values'),
          text('unusable'),
          str('source', 20),
          ms('updatedAt'),
          int('version'),
          int('syncedVersion', 0),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'preference_change',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('customerId', 100),
          ms('createdAt'),
          str('source', 20),
          str('actor', 200),
          str('field', 40),
          text('fromValue', true),
          text('toValue', true),
          text('reason', true),
        ],
        indices: [{ name: 'IDX_preference_change_customer', columnNames: ['customerId', 'createdAt', 'id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inbound_message',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('providerMessageId', 64),
          str('channel', 10),
          str('sender', 40),
          str('customerId', 100, true),
          str('inReplyToDeliveryId', 36, true),
          str('kind', 10),
          text('body'),
          ms('createdAt'),
        ],
        indices: [
          { name: 'UQ_inbound_message_provider', columnNames: ['providerMessageId'], isUnique: true },
          { name: 'IDX_inbound_message_customer', columnNames: ['customerId', 'createdAt', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['inbound_message', 'preference_change', 'customer_preference']) await queryRunner.dropTable(table);
  }
}
