import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { inSpan } from './tracer';

/** What the provider made of the message: handed over, delivered at once, refused for good, or failed for now. */
export type ProviderOutcome = 'accepted' | 'delivered' | 'refused' | 'failed';

/**
 * A client span around one provider call: channel, delivery id, outcome. The
 * `classify` callback names the outcome of a failure (the channel module
 * knows which errors are permanent).
 */
export function traceProviderCall<T extends { readonly final: boolean }>(
  channel: string,
  deliveryId: string,
  classify: (error: unknown) => ProviderOutcome,
  send: () => Promise<T>,
): Promise<T> {
  const attributes = { 'ccm.channel': channel, 'ccm.delivery.id': deliveryId };
  return inSpan(`${channel.toLowerCase()} provider send`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const sent = await send();
      span.setAttribute('ccm.provider.outcome', sent.final ? 'delivered' : 'accepted');
      return sent;
    } catch (error) {
      span.setAttribute('ccm.provider.outcome', classify(error));
      throw error;
    }
  });
}

/**
 * The `traceparent` of the active span, for a provider callback URL: the
 * report that comes back later (another request, maybe another process) links
 * to the send it is about. Null when nothing is traced.
 */
export function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * The span of a provider's status report (a webhook), linked to the trace of
 * the send it reports on when its callback URL carried that send's traceparent.
 */
export function traceProviderReport<T>(channel: string, report: { deliveryId: string | null; status: string; traceparent: string | null }, apply: () => Promise<T>): Promise<T> {
  const linked = report.traceparent ? propagation.extract(context.active(), { traceparent: report.traceparent }) : null;
  const sendSpan = linked ? trace.getSpanContext(linked) : undefined;
  const attributes = { 'ccm.channel': channel, 'ccm.delivery.status': report.status, ...(report.deliveryId ? { 'ccm.delivery.id': report.deliveryId } : {}) };
  return inSpan(`${channel.toLowerCase()} status report`, { kind: SpanKind.INTERNAL, attributes, links: sendSpan ? [{ context: sendSpan }] : [] }, async (span) => {
    const result = await apply();
    span.setStatus({ code: SpanStatusCode.OK });
    return result;
  });
}
