import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Exact reprints: each archived document keeps the render snapshot it was
 * composed from (JSON text; null for documents archived before).
 */
export class DocumentSnapshot1767830400000 implements MigrationInterface {
  readonly name = 'DocumentSnapshot1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('document', new TableColumn({ name: 'snapshot', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('document', 'snapshot');
  }
}
