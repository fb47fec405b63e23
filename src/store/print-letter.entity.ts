import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One letter of a print batch; the delivery id as key puts a letter in one batch only. */
@Entity('print_letter')
@Index('IDX_print_letter_batch', ['printBatchId', 'sequence'])
export class PrintLetterEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  deliveryId!: string;

  @Column({ type: 'varchar', length: 36 })
  printBatchId!: string;

  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ type: 'varchar', length: 36 })
  communicationId!: string;

  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  /** Pages of the letter itself. */
  @Column({ type: 'integer' })
  pages!: number;

  /** Sheets it takes, after the blank back page in duplex. */
  @Column({ type: 'integer' })
  sheets!: number;

  /** Its first page in the batch PDF (1-based). */
  @Column({ type: 'integer' })
  firstPage!: number;

  @Column({ type: 'varchar', length: 10 })
  weightClass!: string;

  @Column({ type: 'integer' })
  grams!: number;

  @Column({ type: 'varchar', length: 10 })
  postalZone!: string;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 20 })
  postalCode!: string;
}
