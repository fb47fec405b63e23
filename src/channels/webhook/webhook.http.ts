import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { Channel } from '../../domain';
import { PermanentDeliveryError, retryAfterMs, TransientDeliveryError, type ChannelProvider, type DocumentReader, type RenderedMessage, type SendResult } from '../channel';
import { guardedLookup, whyNotTarget } from './webhook.target';

/** The webhook form of one delivery: where to, and what describes the document. */
export interface WebhookContent {
  readonly url: string;
  readonly documentId: string;
  readonly filename: string;
  readonly metadata: {
    readonly templateKey: string;
    readonly title: string;
    readonly reference: string;
    readonly language: string;
    readonly date: string;
  };
}

export interface WebhookProviderOptions {
  /** Key the per-endpoint secrets are derived from (`webhookSecretFor`). */
  readonly signingKey: string;
  readonly documents: DocumentReader;
  /** Loopback, private and link-local targets, and plain http to them; default false (SSRF). */
  readonly allowPrivate?: boolean;
  /** Per request; default 10_000 ms. */
  readonly timeoutMs?: number;
  readonly clock?: () => Date;
}

/** An endpoint's Standard Webhooks secret (`whsec_…`): derived from the signing key and the endpoint URL, so nothing secret is stored per endpoint. */
export function webhookSecretFor(signingKey: string, url: string): string {
  return `whsec_${createHmac('sha256', signingKey).update(`webhook-endpoint:${url}`).digest('base64')}`;
}

/** Event type of the payload. */
export const DOCUMENT_EVENT = 'communication.document';

/**
 * The document and its metadata as JSON to the customer's HTTPS endpoint (an
 * e-banking inbox, an ERP, an e-invoicing network), signed per the Standard
 * Webhooks specification: `webhook-id` is the delivery id (the same on every
 * retry, so the receiver can drop repeats), `webhook-timestamp` the attempt's
 * time, `webhook-signature` `v1,<HMAC-SHA256>` with the endpoint's secret.
 * 2xx: delivered. 408, 429, 5xx, timeouts and network errors: retried (never
 * sooner than Retry-After). Redirects and other 4xx: refused for good, the
 * chain's next channel takes over.
 */
export class WebhookProvider implements ChannelProvider<WebhookContent> {
  readonly channel = Channel.WEBHOOK;

  constructor(private readonly options: WebhookProviderOptions) {}

  async send(message: RenderedMessage<WebhookContent>): Promise<SendResult> {
    const { url, documentId, filename, metadata } = message.content;
    const allowPrivate = this.options.allowPrivate ?? false;
    const why = whyNotTarget(url, allowPrivate);
    if (why) throw new PermanentDeliveryError(`webhook endpoint ${why}`, 'target');
    const document = await this.options.documents.read(documentId);
    const at = (this.options.clock ?? (() => new Date()))();
    const payload = JSON.stringify({
      type: DOCUMENT_EVENT,
      timestamp: at.toISOString(),
      data: {
        deliveryId: message.deliveryId,
        communicationId: message.communicationId,
        customerId: message.customerId,
        ...metadata,
        document: { id: documentId, filename, mimeType: 'application/pdf', pages: document.pages, sizeBytes: document.sizeBytes, sha256: document.sha256, content: document.bytes.toString('base64') },
      },
    });
    const signature = new Webhook(webhookSecretFor(this.options.signingKey, url)).sign(message.deliveryId, at, payload);
    const headers = {
      'content-type': 'application/json',
      'webhook-id': message.deliveryId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
      'user-agent': 'ccm-gateway-webhooks/1',
    };
    const response = await post(url, headers, payload, { allowPrivate, timeoutMs: this.options.timeoutMs ?? 10_000 });
    return verdict(response, new URL(url).host);
  }
}

interface PostResult {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

function post(url: string, headers: Record<string, string>, body: string, options: { allowPrivate: boolean; timeoutMs: number }): Promise<PostResult> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: guardedLookup(options.allowPrivate), timeout: options.timeoutMs },
      (res) => {
        // The answer's body is the receiver's business: read and dropped, never logged or stored.
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: headerOf(res.headers['retry-after']) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EWEBHOOKPRIVATE') reject(new PermanentDeliveryError(error.message, 'private-target'));
      else reject(new TransientDeliveryError(`webhook endpoint could not be reached (${error.code ?? 'network error'})`));
    });
    req.end(body);
  });
}

function verdict({ status, retryAfter }: PostResult, host: string): SendResult {
  if (status >= 200 && status < 300) return { providerMessageId: null, final: true, detail: `webhook ${host} answered ${status}` };
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientDeliveryError(`webhook ${host} answered ${status}`, retryAfterMs(retryAfter));
  }
  throw new PermanentDeliveryError(`webhook ${host} refused the document with ${status}`, String(status));
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
