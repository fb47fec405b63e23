import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * Secure PDF delivery asked for by the request rather than the template: the
 * password source of the encrypted email attachment ('customerField' or
 * 'sms'); null leaves it to the template.
 */
export class AttachmentProtection1768176000000 implements MigrationInterface {
  readonly name = 'AttachmentProtection1768176000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('communication', new TableColumn({ name: 'attachmentPassword', type: 'varchar', length: '20', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('communication', 'attachmentPassword');
  }
}
