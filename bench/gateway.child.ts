import 'reflect-metadata';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { startGateway, type Gateway, type Role } from '../src/runtime/gateway';
import type { ChildReply, ChildRequest, MemoryReading } from './gateway.protocol';

/**
 * The gateway under test, in its own process (forked by gateway.process.ts), so
 * its memory and CPU are its own: the load generator, the back-office and the
 * sinks (which keep every message they receive) live in the parent.
 */
const SAMPLE_MS = 100;

let gateway: Gateway | null = null;
let peakRss = 0;
let peakHeapUsed = 0;
let samples = 0;
let peakLiveHeap = 0;
let majorGcs = 0;

const sample = (): NodeJS.MemoryUsage => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
  samples += 1;
  return usage;
};
const sampler = setInterval(sample, SAMPLE_MS);

// The heap right after each full collection is what the process keeps alive; the 100 ms peaks also
// count garbage not yet collected, which follows V8's heuristics more than the work done.
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    majorGcs += 1;
    peakLiveHeap = Math.max(peakLiveHeap, getHeapStatistics().used_heap_size);
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

const reading = (): MemoryReading => {
  const usage = sample();
  const cpu = process.cpuUsage();
  return {
    rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers,
    peakRss, peakHeapUsed, samples, peakLiveHeap, majorGcs, cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system,
  };
};

const reply = (message: ChildReply): void => {
  process.send?.(message);
};

async function handle(request: ChildRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      const config = loadConfig(request.env);
      gateway = await startGateway(config, request.role as Role, pino({ level: 'silent' }));
      reply({ type: 'started', id: request.id, url: gateway.url ?? '' });
      return;
    }
    case 'memory': {
      // A collection first, when asked and allowed (--expose-gc), so "after" readings show what is retained.
      if (request.gc && typeof global.gc === 'function') global.gc();
      const current = reading();
      if (request.resetPeak) {
        peakRss = current.rss;
        peakHeapUsed = current.heapUsed;
        samples = 0;
        peakLiveHeap = current.heapUsed;
        majorGcs = 0;
      }
      reply({ type: 'memory', id: request.id, reading: current });
      return;
    }
    case 'stop': {
      clearInterval(sampler);
      gcObserver.disconnect();
      await gateway?.close();
      gateway = null;
      reply({ type: 'stopped', id: request.id });
      // Nothing else keeps the process alive once the IPC channel is gone: it exits by itself, or the parent reports a leak.
      process.disconnect?.();
      return;
    }
  }
}

process.on('message', (request: ChildRequest) => {
  handle(request).catch((error: unknown) => reply({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }));
});
