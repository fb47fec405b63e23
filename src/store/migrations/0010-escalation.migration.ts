import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Escalation, "digital first, paper if unread": the escalation a communication
 * was sent with, and on its deliveries the deadline by which the customer has
 * to read it (stored, so the sweeper still escalates after a lost delayed job
 * or a Redis restart) and when it escalated. Epoch milliseconds, like every
 * time column; the index serves the sweeper's "due deadlines" query.
 */
export class Escalation1768003200000 implements MigrationInterface {
  readonly name = 'Escalation1768003200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('communication', new TableColumn({ name: 'escalation', type: 'text', isNullable: true }));
    await queryRunner.addColumns('delivery', [
      new TableColumn({ name: 'escalatesAt', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'escalatedAt', type: 'bigint', isNullable: true }),
    ]);
    await queryRunner.createIndex('delivery', new TableIndex({ name: 'IDX_delivery_escalates', columnNames: ['escalatesAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('delivery', 'IDX_delivery_escalates');
    await queryRunner.dropColumn('delivery', 'escalatedAt');
    await queryRunner.dropColumn('delivery', 'escalatesAt');
    await queryRunner.dropColumn('communication', 'escalation');
  }
}
