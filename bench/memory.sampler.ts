import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { MemoryReading } from './gateway.protocol';

export interface MemorySampler {
  /** Current values, the peaks since the last reset and the CPU time of the process. */
  reading(): MemoryReading;
  /** Starts the peaks again from the current values. */
  resetPeaks(current: MemoryReading): void;
  stop(): void;
}

/**
 * A process's own memory, sampled every `intervalMs` (default 100), and the
 * heap right after each full collection: that one is what the process keeps
 * alive, while the sampled peaks also count garbage not yet collected, which
 * follows V8's heuristics more than the work done.
 */
export function startMemorySampler(intervalMs = 100): MemorySampler {
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
  const timer = setInterval(sample, intervalMs);
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGcs += 1;
      peakLiveHeap = Math.max(peakLiveHeap, getHeapStatistics().used_heap_size);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // How late the event loop ran its timers: every request and job waits that long on top of its own work.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  return {
    reading: () => {
      const usage = sample();
      const cpu = process.cpuUsage();
      return {
        rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers,
        peakRss, peakHeapUsed, samples, peakLiveHeap, majorGcs, cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6,
      };
    },
    resetPeaks: (current) => {
      peakRss = current.rss;
      peakHeapUsed = current.heapUsed;
      samples = 0;
      peakLiveHeap = current.heapUsed;
      majorGcs = 0;
      loopDelay.reset();
    },
    stop: () => {
      clearInterval(timer);
      loopDelay.disable();
      gcObserver.disconnect();
    },
  };
}
