import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../config';
import { samplerOf } from './sampler';
import { ScrubbingSpanExporter } from './scrubbing.exporter';

export interface Tracing {
  /** Exports what is still buffered, then stops tracing in this process. */
  shutdown(): Promise<void>;
}

/** Requests that would only add noise: probes and scrapes every few seconds. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Turns tracing on for this process. Must run before the modules it
 * instruments (`http`, `ioredis`, `pg`) are loaded: main.ts calls it first and
 * loads the gateway after. The OTel API requires the provider, the context
 * manager and the propagator to be registered globally — that is where
 * instrumentations and `trace.getTracer()` find them — so this is the one place
 * that touches global state, and `shutdown()` undoes it.
 *
 * Incoming HTTP requests get server spans (W3C `traceparent` honoured);
 * outgoing HTTP is left to the gateway's own client spans (back-office calls
 * with their route template, provider calls), which know what may be said
 * about a call. Redis and PostgreSQL commands are traced only inside a trace
 * (`requireParentSpan`), so BullMQ's polling adds nothing; SQLite has no
 * instrumentation.
 */
export function startTracing(config: TelemetryConfig, role: string): Tracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new ScrubbingSpanExporter(new OTLPTraceExporter({ url: config.tracesUrl, headers: { ...config.headers } }));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.serviceName,
      'service.instance.id': `${hostname()}:${process.pid}`,
      'process.pid': process.pid,
      'ccm.role': role,
      ...config.resourceAttributes,
    }),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: config.exportDelayMs })],
  });
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
      }),
      // The command name only: arguments are values (rendered texts, job payloads), keys add nothing a trace needs.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
