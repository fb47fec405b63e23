import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Agent composition: the text an agent wrote into a template's editable slots
 * (JSON, null when none) and the template version the communication was
 * composed from (1: the files in templates/). Both travel with the
 * communication so the render job, a retry or a reprint composes the same
 * document.
 */
export class Composition1767571200000 implements MigrationInterface {
  readonly name = 'Composition1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('communication', [
      new TableColumn({ name: 'blocks', type: 'text', isNullable: true }),
      new TableColumn({ name: 'templateVersion', type: 'integer', isNullable: false, default: 1 }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('communication', 'templateVersion');
    await queryRunner.dropColumn('communication', 'blocks');
  }
}
