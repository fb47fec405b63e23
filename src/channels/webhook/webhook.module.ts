import { bool, ConfigError, int, str, type ConfigEnv } from '../../config.env';
import { Channel } from '../../domain';
import { refusingProvider } from '../channel';
import { pagesText, type ChannelModule } from '../channel.module';
import { WebhookProvider, type WebhookContent } from './webhook.http';
import { whyNotTarget } from './webhook.target';

export interface WebhookSettings {
  /** `WEBHOOK_SIGNING_KEY`: what each endpoint's secret is derived from; null in production when unset (the channel then refuses). */
  readonly signingKey: string | null;
  /** `WEBHOOK_ALLOW_PRIVATE`: loopback/private targets and plain http to them; default false. */
  readonly allowPrivate: boolean;
  /** `WEBHOOK_TIMEOUT_MS`: per request; default 10,000. */
  readonly timeoutMs: number;
}

const DEVELOPMENT_KEY = 'development-only-webhook-signing-key-0123456789';

/**
 * The document (PDF) and its metadata as signed JSON to an HTTPS endpoint the
 * customer chose (the CRM record's webhook endpoint, e.g. a business
 * customer's ERP or an e-banking inbox). Needs the customer's WEBHOOK consent.
 */
export function webhookChannel(): ChannelModule<WebhookContent, WebhookSettings> {
  return {
    id: Channel.WEBHOOK,
    key: 'webhook',
    medium: 'digital',
    interruptive: false,
    consent: 'required',
    address: (customer) => customer.webhookUrl,
    missingAddress: 'needs a webhook endpoint and the customer has none',
    // The origin and path only: a query string may carry the receiver's own tokens.
    recipient: (customer) => (customer.webhookUrl ? endpointSummary(customer.webhookUrl) : null),
    templateTexts: [],
    async render({ model, customer, archivedPdf }) {
      const url = customer.webhookUrl;
      if (!url) return { ok: false, reason: 'no webhook endpoint for this customer' };
      const unusable = whyNotTarget(url, true);
      if (unusable) return { ok: false, reason: `the customer's webhook endpoint ${unusable}` };
      const pdf = await archivedPdf();
      const metadata = { templateKey: model.templateKey, title: model.title, reference: model.reference, language: model.language, date: model.date.toISOString() };
      return {
        ok: true,
        content: { url, documentId: pdf.id, filename: `${model.templateKey}-${model.reference}.pdf`, metadata },
        documentId: pdf.id,
        detail: `document for the webhook rendered (${pagesText(pdf.pages)})`,
      };
    },
    settings: (env: ConfigEnv): WebhookSettings => {
      const key = str(env, 'WEBHOOK_SIGNING_KEY');
      if (key !== null && key.length < 32) throw new ConfigError('WEBHOOK_SIGNING_KEY', 'at least 32 characters', `${key.length} characters`);
      const production = str(env, 'NODE_ENV') === 'production';
      return { signingKey: key ?? (production ? null : DEVELOPMENT_KEY), allowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false), timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000) };
    },
    createProvider: ({ settings, documents }) => {
      const { signingKey } = settings;
      if (!signingKey) return refusingProvider(Channel.WEBHOOK, 'webhooks are not configured here (WEBHOOK_SIGNING_KEY is unset)');
      return new WebhookProvider({ signingKey, documents, allowPrivate: settings.allowPrivate, timeoutMs: settings.timeoutMs });
    },
  };
}

function endpointSummary(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'webhook';
  }
}
