import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/*
 * The customer's own tracking choice (CommunicationPreferences.tracking): a
 * nullable column of the preference overlay, null while the customer never
 * chose (tracking allowed). A column of its own rather than a key of the
 * `values` JSON, because `values` is what the write-through sends to the CRM
 * and this setting is the gateway's alone.
 */
export class TrackingPreference1768089600000 implements MigrationInterface {
  readonly name = 'TrackingPreference1768089600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('customer_preference', new TableColumn({ name: 'tracking', type: 'boolean', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('customer_preference', 'tracking');
  }
}
