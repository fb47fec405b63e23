import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Engagement: what recipients did with deliveries (email opens and clicks,
 * portal reads and downloads, replies), once per (delivery, kind). Same
 * conventions as the earlier migrations: Table API, epoch milliseconds, no
 * foreign keys.
 */
export class Engagement1767916800000 implements MigrationInterface {
  readonly name = 'Engagement1767916800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'engagement',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'deliveryId', type: 'varchar', length: '36', isNullable: false },
          { name: 'customerId', type: 'varchar', length: '100', isNullable: false },
          { name: 'kind', type: 'varchar', length: '20', isNullable: false },
          { name: 'at', type: 'bigint', isNullable: false },
          { name: 'detail', type: 'varchar', length: '200', isNullable: true },
          { name: 'madeRead', type: 'boolean', isNullable: false },
        ],
        indices: [{ name: 'UQ_engagement_delivery_kind', columnNames: ['deliveryId', 'kind'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('engagement');
  }
}
