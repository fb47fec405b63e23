import { createHash } from 'node:crypto';
import { AppError, ErrorCode, notFound } from '../errors';
import type { LetterRenderer } from '../render/pdf.renderers';
import { decodeSnapshot } from '../render/render-snapshot';
import { ComposeError, type TemplateCatalog } from '../render/template.catalog';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DocumentEntity } from '../store/document.entity';
import type { PreviewStore } from './preview.store';
import { assertCanSeeCustomer } from './principal';
import type { RequestContext } from './request.context';

export interface ReprintServiceOptions {
  readonly repository: CommunicationRepository;
  readonly templates: TemplateCatalog;
  readonly versions?: { ensure(templateKey: string, version: number): Promise<void> };
  /** The letter renderer with the workers' options (fonts, PDF/A, layout), so the same model gives the same bytes. */
  readonly letters: LetterRenderer;
  /** Where the reprinted bytes wait for their download (minutes); the archive keeps the original only. */
  readonly store: PreviewStore;
}

/** The archived document's row with the reprint's own figures and a link to the reprinted bytes. */
export interface Reprint extends DocumentEntity {
  readonly reprintUrl: string;
}

/**
 * reprintDocument: composes an archived document again from its render
 * snapshot (template version, back-office records, data, agent text,
 * reference and date as they were) and renders it. Nothing is written to the
 * store or the archive; `sha256` is the reprint's own, so it equals the
 * archived one exactly when the bytes are the same.
 */
export class ReprintService {
  constructor(private readonly options: ReprintServiceOptions) {}

  async reprint(documentId: string, ctx: RequestContext): Promise<Reprint> {
    const { repository, templates } = this.options;
    const document = await repository.getDocument(documentId);
    if (!document) throw notFound('Document', documentId);
    assertCanSeeCustomer(ctx.principal, document.customerId, 'Document', documentId);
    const encoded = await repository.documentSnapshot(documentId);
    if (!encoded) {
      throw new AppError(ErrorCode.CONFLICT, `reprintDocument: document ${documentId} has no render snapshot (archived before snapshots were kept, or purged); its archived file is all there is`);
    }
    const snapshot = decodeSnapshot(encoded);
    await this.options.versions?.ensure(snapshot.templateKey, snapshot.templateVersion);
    let model;
    try {
      model = templates.compose(snapshot.templateKey, snapshot.ctx, snapshot.templateVersion);
    } catch (error) {
      if (error instanceof ComposeError) throw new AppError(ErrorCode.CONFLICT, `reprintDocument: ${error.message}`);
      throw error;
    }
    const { pdf, pages } = await this.options.letters.render(model);
    const stored = await this.options.store.put(pdf);
    return Object.assign(Object.create(Object.getPrototypeOf(document) as object) as DocumentEntity, document, {
      pages,
      sizeBytes: pdf.byteLength,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      reprintUrl: stored.url,
    });
  }
}
