import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { Channel } from '../domain';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type ChannelProvider,
  type OutboundMessage,
  type SendResult,
} from './channel';

export interface TwilioSmsOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Sender number or alphanumeric id; one of `from` and `messagingServiceSid` is required. */
  readonly from?: string | null;
  readonly messagingServiceSid?: string | null;
  /** Replaces `https://*.twilio.com` for every call (regional proxy, test endpoint); default: Twilio's own. */
  readonly apiBaseUrl?: string | null;
  /** Where Twilio posts status changes (sent, delivered, undelivered); default: none. */
  readonly statusCallbackUrl?: string | null;
  /** Per HTTP request; default 15_000 ms. */
  readonly timeoutMs?: number;
}

/** The message as Twilio knows it now: what a resend check needs. */
export interface TwilioMessageState {
  readonly sid: string;
  readonly status: string;
  readonly errorCode: number | null;
}

/** A message Twilio already holds for a delivery: what a resend check needs (see `findSent`). */
export interface TwilioFoundMessage {
  readonly providerMessageId: string;
  /** Twilio reports it delivered. */
  readonly final: boolean;
  /** Set when Twilio reports it failed or undelivered. */
  readonly failure: string | null;
  readonly detail: string;
}

/** Statuses after which the message will not reach the handset. */
const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'undelivered']);
/** How many of the recipient's most recent messages a resend check reads. */
const LOOKUP_LIMIT = 50;

/** Twilio error codes that condemn the recipient's number for SMS; anything else 4xx is judged by status. */
const RECIPIENT_CODES: ReadonlyMap<number, string> = new Map([
  [21211, 'invalid number'],
  [21214, 'number cannot be reached'],
  [21217, 'number does not appear to be valid'],
  [21408, 'sending to this region is not enabled'],
  [21610, 'recipient has opted out (STOP)'],
  [21612, 'number not reachable by SMS'],
  [21614, 'not a mobile number'],
]);

/** SMS through the official Twilio client; status changes come back through the status callback. */
export class TwilioSmsProvider implements ChannelProvider {
  readonly channel = Channel.SMS;
  private readonly client: twilio.Twilio;

  constructor(private readonly options: TwilioSmsOptions) {
    if (!options.from && !options.messagingServiceSid) {
      throw new Error('Twilio: expected a sender (from) or a messagingServiceSid, got neither');
    }
    const timeout = options.timeoutMs ?? 15_000;
    this.client = twilio(options.accountSid, options.authToken, {
      httpClient: new EndpointRequestClient(options.apiBaseUrl ?? null, timeout),
      // Without these the client falls back to TWILIO_EDGE, TWILIO_REGION and TWILIO_LOG_LEVEL
      // from the process environment; configuration is passed in, and debug logs carry numbers and bodies.
      env: {},
      edge: '',
      region: '',
      logLevel: 'info',
    });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const sms = message.sms;
    if (!sms) throw new Error(`delivery ${message.deliveryId}: expected an sms part, got none`);
    try {
      const created = await this.client.messages.create({
        to: sms.to,
        body: sms.body,
        ...(this.options.messagingServiceSid
          ? { messagingServiceSid: this.options.messagingServiceSid }
          : { from: this.options.from ?? undefined }),
        ...(this.options.statusCallbackUrl ? { statusCallback: callbackFor(this.options.statusCallbackUrl, message.deliveryId) } : {}),
      });
      return { providerMessageId: created.sid, final: false, detail: `twilio status ${created.status}` };
    } catch (error) {
      throw classify(error);
    }
  }

  /** Fetches a message by SID, e.g. to check whether an earlier attempt went out before resending. */
  async fetchMessage(sid: string): Promise<TwilioMessageState> {
    try {
      const found = await this.client.messages(sid).fetch();
      return { sid: found.sid, status: found.status, errorCode: found.errorCode ?? null };
    } catch (error) {
      throw classify(error);
    }
  }

  /**
   * Messages Twilio accepted for this delivery's number with exactly this
   * text since `since`, newest first: what an interrupted attempt (a worker
   * killed between Twilio's answer and our record of it) left behind. Twilio
   * keeps no client reference on a message, so recipient, text and time are
   * the key; the caller skips messages another delivery has recorded.
   * Cancelled messages never went out and are not reported.
   */
  async findSent(message: OutboundMessage, since: Date): Promise<TwilioFoundMessage[]> {
    const sms = message.sms;
    if (!sms) throw new Error(`delivery ${message.deliveryId}: expected an sms part, got none`);
    try {
      const listed = await this.client.messages.list({
        to: sms.to,
        // A messaging service picks the sender number itself.
        ...(this.options.messagingServiceSid ? {} : { from: this.options.from ?? undefined }),
        limit: LOOKUP_LIMIT,
        pageSize: LOOKUP_LIMIT,
      });
      return listed
        .filter((m) => m.body === sms.body && m.status !== 'canceled' && (!m.dateCreated || m.dateCreated.getTime() >= since.getTime()))
        .map((m) => ({
          providerMessageId: m.sid,
          final: m.status === 'delivered',
          failure: FAILED_STATUSES.has(m.status) ? `Twilio reports it ${m.status}${m.errorCode ? ` (error ${m.errorCode})` : ''}` : null,
          detail: `twilio status ${m.status}`,
        }));
    } catch (error) {
      throw classify(error);
    }
  }

  async check(): Promise<void> {
    await this.client.api.v2010.accounts(this.options.accountSid).fetch();
  }
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
function redact(text: string): string {
  return text.replace(/\+?\d{7,15}/g, '[number]');
}

/** Retry-After is either delta-seconds or an HTTP date. */
function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Recipient problems (invalid, unreachable, opted-out numbers) and any other
 * 4xx are permanent: the same request gets the same answer. 401/403/404 mean
 * our credentials or account are wrong, 408/409 a passing conflict: retried,
 * never a reason to fall back for every customer. 429, 5xx, timeouts and
 * network errors are transient.
 */
function classify(error: unknown): Error {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const { status, code, message } = error as { status?: unknown; code?: unknown; message?: unknown };
  const text = redact(typeof message === 'string' ? message : String(error));
  if (typeof status === 'number') {
    const twilioCode = typeof code === 'number' ? code : undefined;
    const known = twilioCode !== undefined ? RECIPIENT_CODES.get(twilioCode) : undefined;
    if (known) return new PermanentDeliveryError(`Twilio refused the number (${known}): ${text}`, String(twilioCode));
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
function callbackFor(base: string, deliveryId: string): string {
  const url = new URL(base);
  url.searchParams.set('delivery', deliveryId);
  return url.toString();
}
