import { createHash } from 'node:crypto';
import type { MessageLinks } from '../channels/channel.module';
import type { ChannelRegistry } from '../channels/registry';
import { attachmentPasswordOf } from '../channels/email/attachment.password';
import type { Backoffice } from '../connectors/backoffice';
import { CommunicationStatus, type Channel } from '../domain';
import type { CommunicationRepository } from '../store/communication.repository';
import { canSeeCustomer } from './principal';
import { loadRenderContext } from '../jobs/render-context.loader';
import type { LetterRenderer } from '../render/pdf.renderers';
import type { RenderSender } from '../render/render-context';
import { ComposeError, type TemplateCatalog } from '../render/template.catalog';
import type { RequestContext } from './request.context';
import type { SendCommunicationInput } from '../schema/send-communication.input';
import { AppError, badInput, ErrorCode } from '../errors';
import type { CommunicationService } from './communication.service';
import type { PreviewStore } from './preview.store';

/** Stands in for the communication id: the reference becomes `CCM-XXXXXXXX`, as long as a real one, so lines wrap alike. */
const PREVIEW_ID = 'xxxxxxxx-preview';

export interface ChannelPreview {
  readonly channel: Channel;
  readonly subject: string | null;
  readonly text: string | null;
  readonly html: string | null;
  readonly smsSegments: number | null;
  readonly pdfPages: number | null;
  readonly pdfUrl: string | null;
  /** Why this channel could not be rendered for this customer (as the delivery would fail). */
  readonly error: string | null;
}

export interface CommunicationPreviewResult {
  readonly plan: Channel[][];
  readonly previews: ChannelPreview[];
  readonly approvalRequired: boolean;
}

/** What a preview renders: a request just checked, or a recorded communication. */
interface PreviewSpec {
  readonly communication: Parameters<typeof loadRenderContext>[2] & { readonly id: string; readonly customerId: string };
  readonly templateKey: string;
  readonly templateVersion: number;
  readonly plan: readonly { readonly chain: readonly Channel[] }[];
  readonly approvalRequired: boolean;
}

export interface PreviewServiceOptions {
  readonly communications: CommunicationService;
  readonly templates: TemplateCatalog;
  readonly channels: ChannelRegistry;
  readonly backoffice: Backoffice;
  readonly letters: LetterRenderer;
  readonly sender: RenderSender;
  readonly store: PreviewStore;
  /** ATTACHMENT_PASSWORD_FIELD, so a preview refuses an encrypted attachment without a password as the delivery would. */
  readonly attachmentPasswordField?: string | null;
  /**
   * The links a send writes, so the preview shows the same "view online" line
   * and the same tracked (or, for a customer who declined tracking, plain)
   * links of the text; they are made for the preview (they lead nowhere: a
   * send makes its own per delivery). No open pixel: a preview is not read by
   * the customer.
   */
  readonly links?: MessageLinks;
  /** Recorded communications, for `previewStored`; absent: only requests can be previewed. */
  readonly repository?: Pick<CommunicationRepository, 'get' | 'deliveriesOf'>;
  /** Published template versions, so a recorded communication renders with its own version. */
  readonly versions?: { ensure(templateKey: string, version: number): Promise<void> };
  readonly clock?: () => Date;
}

/**
 * What a send would produce, without sending: the same checks
 * (`CommunicationService.check`), the same late-bound back-office data, the
 * same plan, and each channel module's own `render()`. Nothing is written to
 * the store and nothing is queued; the PDF, when a channel needs one, goes to
 * the short-lived `PreviewStore` instead of the archive.
 */
export class PreviewService {
  private readonly clock: () => Date;

  constructor(private readonly options: PreviewServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** The send's links (tracked or not, as the customer's choice says), without the pixel. */
  private previewLinks(): MessageLinks | undefined {
    const links = this.options.links;
    return links ? { forMessage: (deliveryId, options) => ({ ...links.forMessage(deliveryId, options), pixel: () => null }) } : undefined;
  }

  async preview(input: SendCommunicationInput, ctx: RequestContext): Promise<CommunicationPreviewResult> {
    const checked = await this.options.communications.check(input, ctx);
    const now = this.clock();
    return this.render({
      communication: { id: PREVIEW_ID, customerId: checked.customer.id, contractId: input.contractId ?? null, data: checked.data, scheduledAt: checked.scheduledAt, createdAt: now, blocks: checked.blocks, attachmentPassword: checked.attachmentPassword },
      templateKey: checked.template.key,
      templateVersion: checked.template.version,
      plan: checked.plan,
      approvalRequired: checked.approvalRequired,
    }, now);
  }

  /**
   * A recorded communication as its render job will compose it: its own id
   * (so the reference is the one the customer will see), template version,
   * data, agent text and plan, with the back-office records as they are now.
   * What an approver looks at before deciding. Null when there is no such
   * communication or the principal may not see it.
   */
  async previewStored(id: string, ctx: RequestContext): Promise<CommunicationPreviewResult | null> {
    const { repository, versions } = this.options;
    if (!repository) throw previewUnavailable();
    const communication = await repository.get(id);
    if (!communication || !canSeeCustomer(ctx.principal, communication.customerId)) return null;
    await versions?.ensure(communication.templateKey, communication.templateVersion);
    const [deliveries] = await repository.deliveriesOf([id]);
    // The plan as recorded: each first delivery with its chain (fallbacks and escalations made since are not part of it).
    const plan = deliveries.filter((d) => d.previousDeliveryId === null).map((d) => ({ chain: [d.channel, ...d.fallbackChannels] }));
    return this.render({ communication, templateKey: communication.templateKey, templateVersion: communication.templateVersion, plan, approvalRequired: communication.status === CommunicationStatus.AWAITING_APPROVAL }, this.clock());
  }

  private async render(spec: PreviewSpec, now: Date): Promise<CommunicationPreviewResult> {
    const { templates, channels, backoffice, sender } = this.options;
    const { communication } = spec;
    let model;
    let renderCtx;
    try {
      renderCtx = await loadRenderContext(backoffice, sender, communication);
      model = templates.compose(spec.templateKey, renderCtx, spec.templateVersion);
    } catch (error) {
      // What the render step would fail on for good (a record gone since the check): the caller's input.
      if (error instanceof ComposeError) throw badInput(error.message);
      throw error;
    }
    let pdf: Promise<{ id: string; pages: number | null; sha256: string; url: string }> | null = null;
    const archivedPdf = () =>
      (pdf ??= this.options.letters.render(model).then(async ({ pdf: bytes, pages }) => {
        const stored = await this.options.store.put(bytes, now);
        return { id: stored.id, pages, sha256: createHash('sha256').update(bytes).digest('hex'), url: stored.url };
      }));

    const seen = new Set<Channel>();
    const order: Channel[] = [];
    for (const entry of spec.plan) for (const channel of entry.chain) if (!seen.has(channel)) seen.add(channel) && order.push(channel);
    const previews: ChannelPreview[] = [];
    for (const channel of order) {
      const module = channels.get(channel);
      let usedPdf = false;
      const target = { id: `preview-${module.key}`, communicationId: communication.id, customerId: communication.customerId, recipient: channels.recipientOf(channel, renderCtx.customer) };
      const rendered = await module.render({
        model,
        customer: renderCtx.customer,
        delivery: target,
        // A password sent by SMS is made from the communication id, which a preview does not have: a stand-in of its length.
        attachmentPassword: model.email.passwordBySms ? 'XXXXXXXXXXXX' : attachmentPasswordOf(renderCtx.customer, this.options.attachmentPasswordField ?? null),
        // The sealed copy is rendered (so a failure shows here) but not kept: the preview link serves the original.
        encryptedPdf: async (userPassword: string) => {
          const { pdf: bytes } = await this.options.letters.render(model, { userPassword });
          return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
        },
        archivedPdf: () => {
          usedPdf = true;
          return archivedPdf();
        },
        links: this.previewLinks(),
      });
      const stored = usedPdf ? await archivedPdf() : null;
      const base = { channel, subject: null, text: null, html: null, smsSegments: null, pdfPages: stored?.pages ?? null, pdfUrl: stored?.url ?? null, error: null };
      if (!rendered.ok) {
        previews.push({ ...base, error: rendered.reason });
        continue;
      }
      previews.push({ ...base, ...textsOf(rendered.content) });
    }
    return { plan: spec.plan.map((p) => [...p.chain]), previews, approvalRequired: spec.approvalRequired };
  }
}

/** The parts of a channel's content a person reads, whatever the channel names them. */
function textsOf(content: unknown): Partial<ChannelPreview> {
  if (typeof content !== 'object' || content === null) return {};
  const c = content as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    subject: str(c.subject),
    text: str(c.text) ?? str(c.body) ?? str(c.notification),
    html: str(c.html),
    smsSegments: typeof c.segments === 'number' ? c.segments : null,
  };
}

export function previewUnavailable(): AppError {
  return new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'previewCommunication: previews are not available in this process');
}
