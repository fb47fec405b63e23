import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Template versions published through the API (version 1 of each key stays
 * its file). Key and version are the primary key, so two publishes racing for
 * the same number cannot both win.
 */
export class TemplateVersions1767744000000 implements MigrationInterface {
  readonly name = 'TemplateVersions1767744000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'template_version',
        columns: [
          { name: 'templateKey', type: 'varchar', length: '100', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'definition', type: 'text', isNullable: false },
          { name: 'publishedBy', type: 'varchar', length: '200', isNullable: false },
          { name: 'publishedAt', type: 'bigint', isNullable: false },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('template_version');
  }
}
