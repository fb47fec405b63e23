import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';

/**
 * Attributes instrumentations set that can identify a person: the caller's IP
 * and user agent, and query strings (a GET /graphql carries its variables
 * there; signed links carry their signature).
 */
const DROPPED: ReadonlySet<string> = new Set([
  'url.query',
  'url.full',
  'client.address',
  'client.port',
  'network.peer.address',
  'network.peer.port',
  'user_agent.original',
]);
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
/** International numbers (`+33 6 12…`, `0033…`); dates and ids do not start with + or 00. */
const PHONE = /(?:\+|\b00)\d[\d ().-]{5,18}\d/g;
const REDACTED = '[redacted]';

export function scrubText(text: string): string {
  return text.replace(EMAIL, REDACTED).replace(PHONE, REDACTED);
}

function scrubValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? scrubText(v) : v)) as AttributeValue;
  return value;
}

export function scrubAttributes(attributes: Attributes): Attributes {
  const clean: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!DROPPED.has(key)) clean[key] = scrubValue(value);
  }
  return clean;
}

/**
 * The last line of defence before spans leave the process: the gateway's own
 * spans carry ids only, but instrumentations and error texts may quote what a
 * request, a database or a provider was given. Known personal attributes are
 * dropped; e-mail addresses and phone numbers in any other attribute, event or
 * status message are replaced. The span itself is not modified: each one is
 * exported through a view that overrides those three fields.
 */
export class ScrubbingSpanExporter implements SpanExporter {
  constructor(private readonly next: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.next.export(spans.map(scrubbed), done);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush?.() ?? Promise.resolve();
  }
}

function scrubbed(span: ReadableSpan): ReadableSpan {
  const events: TimedEvent[] = span.events.map((event) => ({ ...event, ...(event.attributes ? { attributes: scrubAttributes(event.attributes) } : {}) }));
  const status = span.status.message === undefined ? span.status : { ...span.status, message: scrubText(span.status.message) };
  // A view on the span (its methods such as spanContext() keep working), not a copy of a class instance.
  return Object.create(span, {
    attributes: { value: scrubAttributes(span.attributes), enumerable: true },
    events: { value: events, enumerable: true },
    status: { value: status, enumerable: true },
  }) as ReadableSpan;
}
