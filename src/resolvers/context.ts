import type { BulkService } from '../bulk/bulk.service';
import type { Backoffice } from '../connectors/backoffice';
import type { PrintService } from '../print/print.service';
import type { Loaders } from '../connectors/loaders';
import type { TemplateCatalog } from '../render/template.catalog';
import type { CommunicationService } from '../services/communication.service';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DocumentArchive } from '../store/document.archive';
import type { StatusFeed } from '../services/status.feed';
import type { HistoryLoaders } from './history.loaders';
import type { Principal } from './principal';

/** Long-lived parts, built once by the composition root. */
export interface GatewayServices {
  readonly backoffice: Backoffice;
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly templates: TemplateCatalog;
  readonly communications: CommunicationService;
  readonly feed: StatusFeed;
  /** Bulk sends and print output; absent in a gateway built without them. */
  readonly bulk?: BulkService;
  readonly print?: PrintService;
}

/** Per request (or per subscription): who asks, and loaders that batch and cache for this request only. */
export interface GatewayContext {
  readonly principal: Principal;
  readonly loaders: Loaders;
  readonly history: HistoryLoaders;
  readonly services: GatewayServices;
  readonly requestId: string;
}
