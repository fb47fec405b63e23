import { context, isSpanContextValid, SpanStatusCode, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';

/** The instrumentation scope of every span this gateway starts itself. */
export const TRACER_NAME = 'ccm-gateway';

/**
 * The tracer of the globally registered provider. The OTel API keeps that
 * provider (and the context manager and propagator) in its own global
 * registry, which instrumentations rely on; without `startTracing` it is the
 * API's no-op, so every span below costs an object allocation and nothing else.
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `work` in a new active span and ends it. A failure marks the span as an
 * error with the error's class name only: messages may quote what a provider
 * or a database was given (a phone number, an address).
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** The trace id of the active span, or null when nothing is traced. */
export function activeTraceId(): string | null {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : null;
}

/** `traceId` and `spanId` of the active span for a log line; empty when nothing is traced. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}
