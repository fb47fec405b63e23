/** Messages between the bench driver and its gateway child process (IPC). */
export type ChildRequest =
  | { readonly type: 'start'; readonly id: number; readonly role: 'all' | 'api' | 'worker'; readonly env: Readonly<Record<string, string>> }
  | { readonly type: 'memory'; readonly id: number; readonly gc: boolean; readonly resetPeak: boolean }
  | { readonly type: 'stop'; readonly id: number };

export type ChildReply =
  | { readonly type: 'started'; readonly id: number; readonly url: string }
  | { readonly type: 'memory'; readonly id: number; readonly reading: MemoryReading }
  | { readonly type: 'stopped'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

/** Bytes, except the CPU times (microseconds since the process started) and the event loop delays (ms). */
export interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Highest values of the 100 ms samples since the last reset. */
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  readonly samples: number;
  /** Largest heap measured right after a full (mark-sweep) collection since the last reset: what stays alive. */
  readonly peakLiveHeap: number;
  readonly majorGcs: number;
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  /** Event loop delay since the last reset (sampled every 10 ms), ms: p99 and largest. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}
