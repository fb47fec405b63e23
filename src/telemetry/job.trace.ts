import { context, propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { inSpan } from './tracer';

/** The W3C trace context a job carries in its data (ids only), so its processing joins the trace that queued it. */
export interface JobTraceCarrier {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/**
 * A producer span around adding a job. `add` receives the carrier to put in
 * the job's data, or undefined when nothing is traced (the job stays as it was).
 */
export function traceEnqueue<T>(queue: string, jobId: string, add: (trace: JobTraceCarrier | undefined) => Promise<T>): Promise<T> {
  const attributes = { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.destination.name': queue, 'messaging.message.id': jobId };
  return inSpan(`send ${queue}`, { kind: SpanKind.PRODUCER, attributes }, () => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return add(carrier.traceparent ? carrier : undefined);
  });
}

interface TracedJob {
  readonly id?: string;
  readonly attemptsMade: number;
  readonly data: { readonly trace?: JobTraceCarrier };
}

/**
 * Wraps a BullMQ processor: each attempt is a consumer span, child of the
 * producer span whose context the job carries (so a trace goes from the API
 * process through every worker process that touches it), with the attempt
 * number and the processor's outcome (`rendered`, `sent`, `skipped`…).
 * Same arity as `processor`.
 */
export function tracedProcessor<J extends TracedJob, A extends unknown[], R>(queue: string, processor: (job: J, ...rest: A) => Promise<R>): (job: J, ...rest: A) => Promise<R> {
  const traced = (job: J, ...rest: A): Promise<R> => {
    const parent = job.data.trace ? propagation.extract(ROOT_CONTEXT, { ...job.data.trace }) : ROOT_CONTEXT;
    const attributes = {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': queue,
      'messaging.message.id': job.id ?? '',
      'ccm.job.attempt': job.attemptsMade + 1,
    };
    return inSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes }, async (span) => {
      const outcome = await processor(job, ...rest);
      if (typeof outcome === 'string') span.setAttribute('ccm.job.outcome', outcome);
      return outcome;
    }, parent);
  };
  // BullMQ hands a processor its abort signal only when it declares three parameters: keep the arity.
  Object.defineProperty(traced, 'length', { value: processor.length });
  return traced;
}
