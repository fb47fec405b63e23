import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { summarize, type LatencySummary } from './latency.stats';

export interface PacedHttpOptions {
  /** Where every request is POSTed, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** One JSON body per request, in the order they start; their number is the number of requests. */
  readonly bodies: readonly string[];
  /** Requests started per second, evenly spaced. */
  readonly rate: number;
  /** Most sockets open at once. */
  readonly maxSockets: number;
  /** Keep every answer's body (e.g. to read the ids created); otherwise only failed ones, cut short. */
  readonly keepBodies: boolean;
}

/** One request as the worker saw it. */
export interface PacedSample {
  readonly ms: number;
  /** HTTP 200 without GraphQL `errors`. */
  readonly ok: boolean;
  readonly body: string | null;
}

export interface PacedResult {
  readonly rate: number;
  readonly started: number;
  /** Started per second over the sending window, as achieved. */
  readonly achievedRate: number;
  /** Round trips of the requests answered well, ms. */
  readonly latency: LatencySummary;
  readonly errors: number;
  readonly firstError: string | null;
  /** Largest delay of a start behind its schedule, ms: above a few ms, the generator could not keep the pace. */
  readonly maxLagMs: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
}

/**
 * Open loop: request i starts at t0 + i / rate whatever the earlier ones are
 * doing, so a slow answer does not slow the load down (as a closed loop
 * would) and queueing shows in the latencies. autocannon's `overallRate` is
 * not used for this: it lets every connection send back to back until its
 * share of the second is spent, then pauses, i.e. bursts at full speed. The
 * requests go out from a worker thread (paced.worker.ts).
 */
export async function runPaced(options: PacedHttpOptions): Promise<{ result: PacedResult; samples: readonly PacedSample[] }> {
  const worker = new Worker(join(__dirname, 'paced.worker.js'), { workerData: options });
  try {
    const message = await new Promise<{ samples: PacedSample[]; maxLagMs: number; maxInFlight: number; windowMs: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`paced load: the worker exited with code ${code} before reporting`)));
    });
    const good = message.samples.filter((s) => s.ok);
    const firstBad = message.samples.find((s) => !s.ok);
    return {
      samples: message.samples,
      result: {
        rate: options.rate,
        started: message.samples.length,
        achievedRate: message.samples.length / (message.windowMs / 1000),
        latency: summarize(good.map((s) => s.ms)),
        errors: message.samples.length - good.length,
        firstError: firstBad ? (firstBad.body ?? 'no answer').slice(0, 300) : null,
        maxLagMs: message.maxLagMs,
        maxInFlight: message.maxInFlight,
      },
    };
  } finally {
    await worker.terminate();
  }
}
