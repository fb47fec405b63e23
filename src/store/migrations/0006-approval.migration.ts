import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Four-eyes approval: who approved a communication that waited in
 * AWAITING_APPROVAL, and when (epoch milliseconds, like every time column).
 * The statuses themselves fit the existing varchar(20) status column.
 */
export class Approval1767657600000 implements MigrationInterface {
  readonly name = 'Approval1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('communication', [
      new TableColumn({ name: 'approvedBy', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'approvedAt', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('communication', 'approvedAt');
    await queryRunner.dropColumn('communication', 'approvedBy');
  }
}
