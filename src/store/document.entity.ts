import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CommunicationEntity } from './communication.entity';
import { epochMs } from './epoch-ms.transformer';

/** Index row of one archived document; the bytes live in the archive under `storageKey`. */
@Entity('document')
@Index('UQ_document_communication_sha256', ['communicationId', 'sha256'], { unique: true })
@Index('IDX_document_customer_created', ['customerId', 'createdAt', 'id'])
@Index('IDX_document_sha256', ['sha256'])
export class DocumentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36 })
  communicationId!: string;

  /** Declared for the foreign key only; never loaded. */
  @ManyToOne(() => CommunicationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'communicationId', foreignKeyConstraintName: 'FK_document_communication' })
  communication?: CommunicationEntity;

  @Column({ type: 'varchar', length: 100 })
  customerId!: string;

  /** The template key it was rendered from. */
  @Column({ type: 'varchar', length: 100 })
  kind!: string;

  @Column({ type: 'varchar', length: 100 })
  mimeType!: string;

  @Column({ type: 'integer', nullable: true })
  pages!: number | null;

  @Column({ type: 'integer' })
  sizeBytes!: number;

  /** Lower-case hex SHA-256 of the bytes: the archive's content address. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'varchar', length: 200 })
  storageKey!: string;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  /**
   * What it was composed from (render/render-snapshot.ts), for an exact
   * reprint; kept as long as the document. Not read with the row (it holds
   * the customer's records): `CommunicationRepository.documentSnapshot`.
   */
  @Column({ type: 'text', nullable: true, select: false })
  snapshot?: string | null;
}
