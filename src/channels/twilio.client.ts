import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { PermanentDeliveryError, retryAfterMs, TransientDeliveryError } from './channel';
import { activeTraceparent } from '../telemetry/provider.trace';

/** What the official client needs; shared by the channels Twilio carries (SMS, WhatsApp). */
export interface TwilioClientOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Replaces `https://*.twilio.com` for every call (regional proxy, test endpoint); default: Twilio's own. */
  readonly apiBaseUrl?: string | null;
  /** Per HTTP request; default 15_000 ms. */
  readonly timeoutMs?: number;
}

export function createTwilioClient(options: TwilioClientOptions): twilio.Twilio {
  return twilio(options.accountSid, options.authToken, {
    httpClient: new EndpointRequestClient(options.apiBaseUrl ?? null, options.timeoutMs ?? 15_000),
    // Without these the client falls back to TWILIO_EDGE, TWILIO_REGION and TWILIO_LOG_LEVEL
    // from the process environment; configuration is passed in, and debug logs carry numbers and bodies.
    env: {},
    edge: '',
    region: '',
    logLevel: 'info',
  });
}

/**
 * Twilio's RestException keeps status and code but drops the response headers,
 * so Retry-After is read here, where the response is still whole. The same
 * place sends every call to the configured endpoint.
 */
class EndpointRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string | null, timeout: number) {
    super({ timeout, autoRetry: false, keepAlive: true });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.baseUrl ? redirect(opts.uri, this.baseUrl) : opts.uri;
    const response = await super.request({ ...opts, uri });
    if (response.statusCode === 429 || response.statusCode >= 500) {
      const body = parseBody(response.body);
      throw new TransientDeliveryError(
        `Twilio answered ${response.statusCode}${body.code ? ` (code ${body.code})` : ''}: ${redact(body.message ?? 'no message')}`,
        retryAfterMs(response.headers?.['retry-after']),
      );
    }
    return response;
  }
}

function redirect(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  if (target.hostname !== 'twilio.com' && !target.hostname.endsWith('.twilio.com')) {
    throw new Error(`Twilio endpoint: expected a call to https://*.twilio.com to redirect, got one to ${target.host}`);
  }
  return baseUrl.replace(/\/+$/, '') + target.pathname + target.search;
}

function parseBody(body: unknown): { code?: number; message?: string } {
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    return typeof parsed === 'object' && parsed !== null ? (parsed as { code?: number; message?: string }) : {};
  } catch {
    return {};
  }
}

/** Twilio's messages quote the number; error texts end up in delivery records and logs. */
export function redact(text: string): string {
  return text.replace(/\+?\d{7,15}/g, '[number]');
}


/**
 * Recipient problems (invalid, unreachable, opted-out numbers) and any other
 * 4xx are permanent: the same request gets the same answer. 401/403/404 mean
 * our credentials or account are wrong, 408/409 a passing conflict: retried,
 * never a reason to fall back for every customer. 429, 5xx, timeouts and
 * network errors are transient.
 */
export function classify(error: unknown, recipientCodes: ReadonlyMap<number, string>, what: string): Error {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const { status, code, message } = error as { status?: unknown; code?: unknown; message?: unknown };
  const text = redact(typeof message === 'string' ? message : String(error));
  if (typeof status === 'number') {
    const twilioCode = typeof code === 'number' ? code : undefined;
    const known = twilioCode !== undefined ? recipientCodes.get(twilioCode) : undefined;
    if (known) return new PermanentDeliveryError(`Twilio refused the ${what} (${known}): ${text}`, String(twilioCode));
    if ([401, 403, 404, 408, 409].includes(status) || status >= 500 || status === 429) {
      return new TransientDeliveryError(`Twilio answered ${status}${twilioCode ? ` (code ${twilioCode})` : ''}: ${text}`);
    }
    if (status >= 400) {
      return new PermanentDeliveryError(`Twilio refused the message with ${status}: ${text}`, String(twilioCode ?? status));
    }
  }
  const network = typeof code === 'string' ? code : 'network error';
  return new TransientDeliveryError(`Twilio could not be reached (${network}): ${text}`);
}

/**
 * The message's status callback URL carries our delivery id, so a report that
 * arrives before the worker has stored the SID still finds its delivery (and
 * the signature Twilio computes over the URL covers it).
 */
export function callbackFor(base: string, deliveryId: string): string {
  const url = new URL(base);
  url.searchParams.set('delivery', deliveryId);
  // The report links to the trace of this send (src/telemetry); absent when nothing is traced.
  const traceparent = activeTraceparent();
  if (traceparent) url.searchParams.set('traceparent', traceparent);
  return url.toString();
}
