import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row of the contract system's legacy table, read-only for the gateway.
 * Property names say what a column holds; `name` keeps the legacy column.
 * Column types are the ones both SQLite and PostgreSQL know (`character`, not
 * `char`); they only matter for reading, as the gateway never creates this table.
 */
@Entity('CNTR_MASTER')
export class ContractRowEntity {
  @PrimaryColumn({ name: 'CNTR_ID', type: 'varchar', length: 12 })
  id!: string;

  /** The number shown to customers, e.g. `HB-2021-004711`. */
  @Column({ name: 'CNTR_NO', type: 'varchar', length: 20 })
  number!: string;

  /** CRM customer id. */
  @Column({ name: 'CUST_REF', type: 'varchar', length: 12 })
  customerRef!: string;

  /** Catalog product id. */
  @Column({ name: 'PROD_REF', type: 'varchar', length: 8 })
  productRef!: string;

  /** `A` active, `S` suspended, `T` terminated, `P` pending. */
  @Column({ name: 'STAT_CD', type: 'character', length: 1 })
  statusCode!: string;

  /** `YYYYMMDD` */
  @Column({ name: 'DT_START', type: 'character', length: 8 })
  startDate!: string;

  /** `YYYYMMDD`, terminated contracts only. */
  @Column({ name: 'DT_END', type: 'character', length: 8, nullable: true })
  endDate!: string | null;

  /** Monthly amount in minor units (cents, Rappen, pence). */
  @Column({ name: 'AMT_MONTHLY_CT', type: 'integer' })
  monthlyAmountMinor!: number;

  /** ISO 4217 */
  @Column({ name: 'CCY_CD', type: 'character', length: 3 })
  currency!: string;
}
