import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

/** Per postal zone and envelope weight class: what postage planning needs. */
export interface PrintTotal {
  readonly postalZone: string;
  readonly weightClass: string;
  readonly letters: number;
  readonly sheets: number;
  readonly grams: number;
}

/** One closed print batch: a print-ready PDF and its manifest under `<dataDir>/<directory>`. */
@Entity('print_batch')
@Index('IDX_print_batch_created', ['createdAt', 'id'])
export class PrintBatchEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'boolean' })
  duplex!: boolean;

  @Column({ type: 'integer' })
  letters!: number;

  /** Pages of the PDF, blank back pages included. */
  @Column({ type: 'integer' })
  pages!: number;

  @Column({ type: 'integer' })
  blankPages!: number;

  @Column({ type: 'integer' })
  sheets!: number;

  @Column({ type: 'integer' })
  grams!: number;

  /** Relative to the data folder, e.g. `print-batches/<id>`. */
  @Column({ type: 'varchar', length: 200 })
  directory!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'simple-json' })
  totals!: PrintTotal[];

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}
