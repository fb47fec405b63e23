import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/*
 * Contact memory: interactions the gateway did not send (calls, visits, chats,
 * inbound messages), listed with the communications in one contact history.
 * Same conventions as the earlier migrations: Table API, epoch milliseconds,
 * names matching the entity's decorators, no foreign keys.
 */

const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const ms = (name: string): TableColumnOptions => ({ name, type: 'bigint', isNullable: false });

export class ContactMemory1767398400000 implements MigrationInterface {
  readonly name = 'ContactMemory1767398400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'interaction',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('callerId', 200),
          str('externalId', 200, true),
          str('customerId', 100),
          str('channel', 20),
          str('direction', 10),
          ms('occurredAt'),
          str('reason', 200, true),
          { name: 'summary', type: 'text', isNullable: true },
          str('agentId', 200, true),
          str('relatedCommunicationId', 36, true),
          { name: 'internal', type: 'boolean', isNullable: false },
          ms('createdAt'),
        ],
        indices: [
          { name: 'UQ_interaction_caller_external', columnNames: ['callerId', 'externalId'], isUnique: true },
          { name: 'IDX_interaction_customer_occurred', columnNames: ['customerId', 'occurredAt', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('interaction');
  }
}
