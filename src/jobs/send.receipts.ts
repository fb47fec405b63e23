import type IORedis from 'ioredis';
import type { SendResult } from '../channels/channel';

export interface SendReceiptsOptions {
  /** Keys are `<prefix>:receipt:<deliveryId>`, in the queues' hash slot. */
  readonly prefix: string;
  /** How long a receipt outlives a send whose outcome never reached the database; default 7 days. */
  readonly ttlMs?: number;
}

/** What the provider answered for one delivery, kept until the database has it. */
export interface SendReceipt extends SendResult {
  readonly at: string;
}

/**
 * The provider's answer, written to Redis the moment it arrives and before the
 * database records it. One Redis write is much quicker than the transaction
 * that records SENT, so the window in which a crash (or a database outage)
 * forgets a send the provider accepted shrinks to that write; the next attempt
 * finds the receipt and records it instead of sending again.
 *
 * A receipt only speaks for the attempt in progress: a fresh claim (a delivery
 * going to SENDING for the first time since it was rendered or reset) clears
 * any receipt left from before, and recording the outcome deletes it.
 */
export class SendReceipts {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: IORedis,
    private readonly options: SendReceiptsOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 7 * 86_400_000;
  }

  async record(deliveryId: string, result: SendResult): Promise<void> {
    const receipt: SendReceipt = { ...result, at: new Date().toISOString() };
    await this.redis.set(this.key(deliveryId), JSON.stringify(receipt), 'PX', this.ttlMs);
  }

  /** Rejects when Redis cannot answer: "no receipt" must mean there is none. */
  async get(deliveryId: string): Promise<SendReceipt | null> {
    const raw = await this.redis.get(this.key(deliveryId));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as SendReceipt;
    } catch {
      return null;
    }
  }

  async clear(deliveryId: string): Promise<void> {
    await this.redis.del(this.key(deliveryId));
  }

  private key(deliveryId: string): string {
    return `${this.options.prefix}:receipt:${deliveryId}`;
  }
}
