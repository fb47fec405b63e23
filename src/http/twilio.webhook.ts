import type { FastifyInstance } from 'fastify';
import { Channel, type DeliveryStatus } from '../domain';
import { traceProviderReport } from '../telemetry/provider.trace';
import { mapTwilioStatus } from './twilio-status.mapping';
import { registerSignedTwilioRoute, single, type WebhookLogger } from './twilio.signed-route';

export type { WebhookLogger } from './twilio.signed-route';

/** A provider's report about one message, already in our vocabulary. */
export interface ProviderStatusUpdate {
  /** The provider's id of the message (Twilio: the message SID), as the deliver job recorded it. */
  readonly providerMessageId: string;
  /** Our delivery id from the callback URL's `delivery` parameter (signed with the rest), when present. */
  readonly deliveryId: string | null;
  readonly status: DeliveryStatus;
  /** Timeline text without personal data, e.g. "twilio status undelivered, error 30003 (…)". */
  readonly detail: string | null;
  readonly channel: Channel;
}

export interface TwilioWebhookOptions {
  /** The auth token of the account that sends the messages: the key of X-Twilio-Signature. */
  readonly authToken: string;
  /** The gateway's URL as Twilio reaches it (PUBLIC_URL), e.g. `https://gateway.example`; the signature covers it. */
  readonly publicUrl: string;
  /** Route path, also appended to `publicUrl` for the signature; default `/webhooks/twilio/status`. */
  readonly path?: string;
  /**
   * Applies the update, typically `DeliveryLifecycle.transition` for the delivery with that
   * providerMessageId. It must resolve for SIDs it does not know (a message sent by another
   * system on the same account) and for regressions or replays (the store answers changed:false);
   * a rejection is answered 500.
   */
  readonly onStatus: (update: ProviderStatusUpdate) => Promise<void>;
  /** Default: the request's logger. */
  readonly logger?: WebhookLogger;
  /** Largest callback body; default 64 KiB (Twilio's are well under 1 KiB). */
  readonly bodyLimit?: number;
}

/**
 * `POST <path>`: Twilio's message status callbacks.
 *
 * - The body is parsed by a form parser registered inside this plugin's own
 *   encapsulated scope, so the rest of the app keeps its parsers.
 * - `X-Twilio-Signature` is checked with the official `twilio.validateRequest`
 *   against `publicUrl + path + query` — the URL Twilio signed, not the Host
 *   header a proxy may have rewritten — and every POST parameter. A missing or
 *   forged signature, another account's token, or a captured callback
 *   replayed with changed parameters → 403, and onStatus is not called.
 * - A body that is not a form, or lacks MessageSid / MessageStatus → 400.
 * - Otherwise onStatus, then 204: Twilio wants a quick 2xx and reads no body.
 *
 * An identical replay passes the signature check (it is what Twilio signed);
 * idempotence and out-of-order callbacks are the store's business: its
 * transition table refuses repeats and regressions (changed:false).
 * Routes exist once the app boots (`app.ready()` / `listen`).
 */
export function registerTwilioWebhook(app: FastifyInstance, options: TwilioWebhookOptions): void {
  const route = { path: options.path ?? '/webhooks/twilio/status', authToken: options.authToken, publicUrl: options.publicUrl, bodyLimit: options.bodyLimit, logger: options.logger, what: 'status callback' };
  registerSignedTwilioRoute(app, route, async ({ params, query, log }, reply) => {
    const sid = single(params.MessageSid) ?? single(params.SmsSid);
    const messageStatus = single(params.MessageStatus) ?? single(params.SmsStatus);
    if (!sid || sid.length > 64 || !messageStatus) {
      return void reply.code(400).send({ error: 'expected one MessageSid and one MessageStatus' });
    }
    const delivery = query.get('delivery');
    const deliveryId = delivery && /^[A-Za-z0-9-]{1,64}$/.test(delivery) ? delivery : null;
    const mapping = mapTwilioStatus(messageStatus, single(params.ErrorCode), single(params.ErrorMessage));
    if (mapping.kind === 'ignored') {
      log.debug({ providerMessageId: sid, reason: mapping.reason }, 'Twilio status callback ignored');
      return void reply.code(204).send();
    }
    try {
      // SMS and WhatsApp share Twilio's Messages resource and this webhook; the address says which.
      const channel = (single(params.To) ?? '').startsWith('whatsapp:') ? Channel.WHATSAPP : Channel.SMS;
      // Linked to the send's trace through the traceparent the worker put in the callback URL.
      const report = { deliveryId, status: mapping.status, traceparent: query.get('traceparent') };
      await traceProviderReport(channel, report, () => options.onStatus({ providerMessageId: sid, deliveryId, status: mapping.status, detail: mapping.detail, channel }));
    } catch (error) {
      log.error({ providerMessageId: sid, status: mapping.status, err: error }, 'Twilio status callback could not be applied');
      return void reply.code(500).send({ error: 'status update failed' });
    }
    return void reply.code(204).send();
  });
}
