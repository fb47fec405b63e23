import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

/**
 * A published template version (2, 3, …; version 1 of each key is its file in
 * `templates/`). Never changed once written: a communication names the
 * version it was composed from, and a reprint composes it again.
 */
@Entity('template_version')
export class TemplateVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  templateKey!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  /** The definition as published (the JSON of a template file). */
  @Column({ type: 'text' })
  definition!: string;

  @Column({ type: 'varchar', length: 200 })
  publishedBy!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  publishedAt!: Date;
}
