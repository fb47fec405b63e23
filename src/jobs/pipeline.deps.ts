import type { MessageLinks } from '../channels/channel.module';
import type { ChannelProvider } from '../channels/channel';
import type { ChannelRegistry } from '../channels/registry';
import type { Backoffice } from '../connectors/backoffice';
import type { Channel, CustomerRecord, QuietHours } from '../domain';
import type { LetterRenderer } from '../render/pdf.renderers';
import type { RenderSender } from '../render/render-context';
import type { TemplateCatalog } from '../render/template.catalog';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentArchive } from '../store/document.archive';
import type { ArtifactStore } from './artifact.store';
import type { Dispatcher } from './dispatcher';
import type { SendReceipts } from './send.receipts';
import type { StatusEvents } from './status.events';

/** pino-compatible; log lines carry ids, channels and statuses, never addresses or names. */
export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function silentLogger(): JobLogger {
  const nothing = (): void => undefined;
  return { info: nothing, warn: nothing, error: nothing };
}

/** Everything the processors and the sweeper work with; built once by `startWorkers`. */
export interface PipelineDeps {
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly backoffice: Backoffice;
  readonly templates: TemplateCatalog;
  /** Published template versions; absent: only the files (version 1). */
  readonly templateVersions?: { ensure(templateKey: string, version: number): Promise<void> };
  /** ATTACHMENT_PASSWORD_FIELD: the customer field that opens encrypted attachments; absent: none. */
  readonly attachmentPasswordField?: string | null;
  /** Key of the per-communication passwords sent by SMS (the document signing secret); absent: templates cannot use them. */
  readonly attachmentPasswordSecret?: string | null;
  /** The channel modules: how each channel renders, who it reaches. */
  readonly channels: ChannelRegistry;
  readonly providers: Partial<Record<Channel, ChannelProvider>>;
  readonly events: StatusEvents;
  readonly dispatcher: Dispatcher;
  readonly sender: RenderSender;
  /** Letter PDFs (PDF/A-2b with `DOCUMENT_PDFA`, on threads with `RENDER_THREADS`); default: PDF 1.3 with the standard fonts, on the event loop. */
  readonly letters?: LetterRenderer;
  readonly artifacts: ArtifactStore;
  /** Links the messages write (view online, open pixel); absent: none. */
  readonly links?: MessageLinks;
  /** Provider answers kept until the database has them (see `send.receipts.ts`). */
  readonly receipts: SendReceipts;
  readonly logger: JobLogger;
  readonly clock: () => Date;
  /**
   * The customer as they are right before a send (CRM and preference overlay),
   * batched with the other sends of the moment; default: one CRM call per send.
   */
  readonly currentCustomer?: (customerId: string) => Promise<CustomerRecord | null>;
  /** QUIET_HOURS: when SMS and WhatsApp wait for customers who set no quiet hours of their own; null: none. */
  readonly quietHours?: QuietHours | null;
  /** Called after each render step, e.g. for a render-duration histogram. */
  readonly onRendered?: (info: RenderedInfo) => void;
}

export interface RenderedInfo {
  readonly communicationId: string;
  /** Deliveries rendered in this step. */
  readonly deliveries: number;
  /** Back-office reads, composition and every channel's form, PDF archiving included. */
  readonly durationMs: number;
}

/** What a status change needs, wherever it happens: workers, webhooks, resolvers. */
export type OutcomeDeps = Pick<PipelineDeps, 'repository' | 'events' | 'dispatcher' | 'backoffice' | 'channels'> & {
  readonly logger?: JobLogger;
  /** Told of hard bounces and returned mail (the preference centre marks the address unusable). */
  readonly bounces?: { bounced(delivery: DeliveryEntity, detail: string | null): Promise<void> };
};
