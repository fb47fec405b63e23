import type { Channel, PostalAddress } from '../domain';

/**
 * The format-neutral document model: content blocks plus layout hints and
 * metadata, filled with back-office data at output time (late binding). Each
 * channel renderer derives its own form from it.
 */
export type Block =
  | { readonly kind: 'heading'; readonly text: string; readonly level: 1 | 2 }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'keyValue'; readonly items: readonly { readonly label: string; readonly value: string }[] }
  | {
      readonly kind: 'table';
      readonly columns: readonly { readonly header: string; readonly align: 'left' | 'right'; readonly width?: number }[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'totals'; readonly items: readonly { readonly label: string; readonly value: string; readonly emphasis?: boolean }[] };

export interface DocumentModel {
  readonly templateKey: string;
  /** The language actually used (after falling back). */
  readonly language: string;
  readonly title: string;
  /** Shown on the letter and in the email; e.g. the communication id. */
  readonly reference: string;
  readonly date: Date;
  readonly sender: { readonly name: string; readonly addressLines: readonly string[]; readonly returnLine: string };
  readonly recipient: { readonly name: string; readonly address: PostalAddress | null };
  readonly salutation: string;
  readonly blocks: readonly Block[];
  readonly closing: string;
  readonly signature: string;
  /** Short text for SMS (no markup). */
  readonly sms: string;
  /** `encryptAttachment`: the attached PDF is an AES-256 copy opened with the customer's password (ATTACHMENT_PASSWORD_FIELD). */
  readonly email: { readonly subject: string; readonly intro: string; readonly attachPdf: boolean; readonly encryptAttachment?: boolean; readonly passwordBySms?: boolean };
  readonly portal: { readonly notification: string };
  /** A WhatsApp Content template for this language (business-initiated messages need one); null: free-form text. */
  readonly whatsapp: { readonly contentSid: string; readonly variables: Readonly<Record<string, string>> } | null;
}

export interface TemplateInfo {
  readonly key: string;
  readonly name: string;
  readonly channels: readonly Channel[];
  readonly languages: readonly string[];
  /** Whether the template needs a contract (e.g. renewal). */
  readonly requiresContract: boolean;
}
