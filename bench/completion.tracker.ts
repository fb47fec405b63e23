import { performance } from 'node:perf_hooks';
import { DeliveryStatus } from '../src/domain';
import type { StatusEvents } from '../src/jobs/status.events';

/** When (performance.now(), ms) a communication's delivery first reached each milestone. */
interface Milestones {
  sent: number | null;
  delivered: number | null;
  failed: string | null;
}

export type Milestone = 'sent' | 'delivered';

export interface WaitOutcome {
  /** Communications that reached the milestone. */
  readonly reached: number;
  /** Communications whose delivery ended FAILED, BOUNCED or CANCELLED. */
  readonly failed: number;
  /** When the last one reached it (performance.now(), ms); null when none did. */
  readonly lastAt: number | null;
  /** True when progress stalled before every one reached it. */
  readonly stalled: boolean;
  /** The first failure reason seen, for the report. */
  readonly firstFailure: string | null;
}

const FAILED: readonly string[] = [DeliveryStatus.FAILED, DeliveryStatus.BOUNCED, DeliveryStatus.CANCELLED];

/**
 * Follows the gateway's status events (Redis pub/sub, the same feed the
 * subscriptions use) and tells when a set of communications, one delivery
 * each, has been handed to the provider (SENT, or DELIVERED when that comes
 * first) and confirmed DELIVERED by the provider's callbacks.
 */
export class CompletionTracker {
  private readonly seen = new Map<string, Milestones>();
  private totals = { sent: 0, delivered: 0, failed: 0 };
  private readonly unsubscribe: () => void;

  private constructor(events: StatusEvents) {
    this.unsubscribe = events.subscribe((event) => {
      const now = performance.now();
      let entry = this.seen.get(event.communicationId);
      if (!entry) {
        entry = { sent: null, delivered: null, failed: null };
        this.seen.set(event.communicationId, entry);
      }
      if ((event.status === DeliveryStatus.SENT || event.status === DeliveryStatus.DELIVERED) && entry.sent === null) {
        entry.sent = now;
        this.totals.sent += 1;
      }
      if (event.status === DeliveryStatus.DELIVERED && entry.delivered === null) {
        entry.delivered = now;
        this.totals.delivered += 1;
      }
      if (FAILED.includes(event.status) && entry.failed === null) {
        entry.failed = `${event.status}${event.detail ? `: ${event.detail}` : ''}`;
        this.totals.failed += 1;
      }
    });
  }

  static async start(events: StatusEvents): Promise<CompletionTracker> {
    const tracker = new CompletionTracker(events);
    await events.ready();
    return tracker;
  }

  /** Forgets what was seen, so a long run does not keep every id. */
  clear(): void {
    this.seen.clear();
    this.totals = { sent: 0, delivered: 0, failed: 0 };
  }

  /** How many of `ids` reached `milestone` so far. */
  count(ids: readonly string[], milestone: Milestone): number {
    let n = 0;
    for (const id of ids) if (this.seen.get(id)?.[milestone] != null) n += 1;
    return n;
  }

  /** Communications seen since the last `clear()` that reached each milestone or failed (for runs whose ids are not known, such as bulk runs). */
  totalsSinceClear(): { readonly sent: number; readonly delivered: number; readonly failed: number } {
    return { ...this.totals };
  }

  /**
   * Resolves when every id (known now or pushed later into `ids`, up to
   * `expected`) reached the milestone or failed, or when nothing moved for `stallMs`.
   */
  async waitFor(ids: readonly string[], expected: number, milestone: Milestone, stallMs: number): Promise<WaitOutcome> {
    let lastProgress = performance.now();
    let lastCount = -1;
    for (;;) {
      let reached = 0;
      let failed = 0;
      let lastAt: number | null = null;
      let firstFailure: string | null = null;
      for (const id of ids) {
        const entry = this.seen.get(id);
        const at = entry?.[milestone] ?? null;
        if (at !== null) {
          reached += 1;
          lastAt = lastAt === null ? at : Math.max(lastAt, at);
        } else if (entry?.failed) {
          failed += 1;
          firstFailure ??= entry.failed;
        }
      }
      const done = ids.length >= expected && reached + failed >= expected;
      if (reached + failed !== lastCount) {
        lastCount = reached + failed;
        lastProgress = performance.now();
      }
      const stalled = !done && performance.now() - lastProgress > stallMs;
      if (done || stalled) return { reached, failed, lastAt, stalled, firstFailure };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): void {
    this.unsubscribe();
    this.seen.clear();
  }
}
