import { context, propagation, SpanKind, type Span } from '@opentelemetry/api';
import { inSpan } from './tracer';

export interface BackofficeCallSpan {
  /** Headers that carry the trace to the system (`traceparent`); empty when nothing is traced. */
  readonly headers: Record<string, string>;
  /** The HTTP status the system answered. */
  status(code: number): void;
}

/**
 * A client span per back-office call: the system, the route template (never
 * the path with its ids or the query with its search terms) and the status.
 */
export function traceBackofficeCall<T>(system: string, method: string, route: string, call: (span: BackofficeCallSpan) => Promise<T>): Promise<T> {
  const attributes = { 'ccm.backoffice.system': system, 'http.request.method': method, 'http.route': route.replace(/^[A-Z]+\s+/, '') };
  return inSpan(`${system} ${route}`, { kind: SpanKind.CLIENT, attributes }, (span: Span) => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    return call({ headers, status: (code) => span.setAttribute('http.response.status_code', code) });
  });
}
