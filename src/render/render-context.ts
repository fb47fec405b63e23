import type { AttachmentPassword, ContractRecord, CustomerRecord, ProductRecord } from '../domain';

/**
 * Everything a template may draw from, collected at output time from the
 * systems of record (late binding) plus the request's own `data`.
 */
export interface RenderContext {
  readonly customer: CustomerRecord;
  readonly contract: ContractRecord | null;
  readonly product: ProductRecord | null;
  /** The request's template variables, as sent; checked against the template's declared fields. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly communicationId: string;
  /** Shown to the customer on the letter and in the email, e.g. a short form of the communication id. */
  readonly reference: string;
  /** The document date (letter date, invoice date). */
  readonly date: Date;
  readonly sender: RenderSender;
  /** Agent text by editable slot (checked by the API); absent or null when none. */
  readonly blocks?: Readonly<Record<string, string>> | null;
  /** The request asked for an encrypted email attachment with this password source; absent or null: as the template says. */
  readonly attachmentPassword?: AttachmentPassword | null;
}

export interface RenderSender {
  readonly name: string;
  readonly addressLines: readonly string[];
  /** The one-line sender address printed above the recipient in the envelope window. */
  readonly returnLine: string;
}
