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
  /** The delivery's version right after the claim (SENDING) of the attempt that sent; absent in receipts written before it was recorded. */
  readonly claim?: number;
}

/**
 * The provider's answer, written to Redis the moment it arrives and before the
 * database records it. One Redis write is much quicker than the transaction
 * that records SENT, so the window in which a crash (or a database outage)
 * forgets a send the provider accepted shrinks to that write; the next attempt
 * finds the receipt and records it instead of sending again.
 *
 * A receipt speaks only for the claim it names: the next attempt uses it when
 * the delivery still stands at that claim's version, so a receipt left over
 * from before a `retryDelivery` (its clean-up lost to a Redis error) is never
 * taken for the new send. Recording the outcome deletes it.
 */
export class SendReceipts {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: IORedis,
    private readonly options: SendReceiptsOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 7 * 86_400_000;
  }

  async record(deliveryId: string, result: SendResult, claim?: number): Promise<void> {
    const receipt: SendReceipt = { ...result, at: new Date().toISOString(), claim };
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

  /** Whether the receipt is the one of the claim the delivery (as just read, SENDING) stands at. */
  static speaksFor(receipt: SendReceipt, delivery: { readonly version: number }): boolean {
    return receipt.claim === undefined || receipt.claim === delivery.version;
  }

  async clear(deliveryId: string): Promise<void> {
    await this.redis.del(this.key(deliveryId));
  }

  private key(deliveryId: string): string {
    return `${this.options.prefix}:receipt:${deliveryId}`;
  }
}
