import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * The KPIs count a window's interactions by `occurredAt` across customers:
 * an index that leads with it, instead of a scan of the whole table.
 */
export class InteractionTime1768262400000 implements MigrationInterface {
  readonly name = 'InteractionTime1768262400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('interaction', new TableIndex({ name: 'IDX_interaction_occurred', columnNames: ['occurredAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('interaction', 'IDX_interaction_occurred');
  }
}
