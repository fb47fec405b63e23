import type { BulkService } from '../bulk/bulk.service';
import type { EngagementService } from '../engagement/engagement.service';
import type { Backoffice, CallContext } from '../connectors/backoffice';
import type { PrintService } from '../print/print.service';
import type { TemplateCatalog } from '../render/template.catalog';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DocumentArchive } from '../store/document.archive';
import type { CommunicationService } from './communication.service';
import type { ContactService } from './contact.service';
import type { PreviewService } from './preview.service';
import type { TemplateVersions } from './template.versions';
import type { ReprintService } from './reprint.service';
import type { StatusFeed } from './status.feed';
import type { PreferenceService } from '../preferences/preference.service';
import type { PreferenceRepository } from '../store/preference.repository';

/** Long-lived parts, built once by the composition root; resolvers and routes reach them through the request context. */
export interface GatewayServices {
  readonly backoffice: Backoffice;
  /** The same back office, calls made for one caller (their token forwarded where configured). */
  readonly backofficeFor?: (call: CallContext) => Backoffice;
  readonly repository: CommunicationRepository;
  readonly archive: DocumentArchive;
  readonly templates: TemplateCatalog;
  readonly communications: CommunicationService;
  readonly feed: StatusFeed;
  /** Interactions and the contact history. */
  readonly contacts: ContactService;
  /** Bulk sends and print output; absent in a gateway built without them. */
  readonly bulk?: BulkService;
  readonly print?: PrintService;
  /** Published template versions (publishTemplate, the active version in `templates`); absent: the files only. */
  readonly templateVersions?: TemplateVersions;
  /** reprintDocument; absent in a gateway built without it. */
  readonly reprints?: ReprintService;
  /** Engagement signals (opens, clicks, reads); absent in a gateway built without them. */
  readonly engagement?: EngagementService;
  /** previewCommunication; absent in a gateway built without it. */
  readonly previews?: PreviewService;
  /** The preference centre; absent in a gateway built without it. */
  readonly preferences?: { readonly service: PreferenceService; readonly repository: PreferenceRepository };
}
