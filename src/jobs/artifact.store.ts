import type IORedis from 'ioredis';
import type { RenderedMessage } from '../channels/channel';

export interface ArtifactStoreOptions {
  /** Keys are `<prefix>:artifact:<deliveryId>`, in the queues' hash slot. */
  readonly prefix: string;
  /** How long an unsent artifact is kept; default 24 h. After that the deliver job renders again. */
  readonly ttlMs?: number;
}

/**
 * Rendered email and SMS texts between the render job and the deliver job.
 * They hold personal data, so they stay out of job payloads (which dashboards
 * show and which are kept for days): here they live only until the delivery is
 * sent, with a TTL as a backstop. A missing artifact is never an error — the
 * deliver job composes the document again from fresh back-office data.
 */
export class ArtifactStore {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: IORedis,
    private readonly options: ArtifactStoreOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 86_400_000;
  }

  async put(deliveryId: string, message: RenderedMessage): Promise<void> {
    await this.redis.set(this.key(deliveryId), JSON.stringify(message), 'PX', this.ttlMs);
  }

  async get(deliveryId: string): Promise<RenderedMessage | null> {
    const raw = await this.redis.get(this.key(deliveryId));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as RenderedMessage;
    } catch {
      return null;
    }
  }

  async delete(deliveryId: string): Promise<void> {
    await this.redis.del(this.key(deliveryId));
  }

  private key(deliveryId: string): string {
    return `${this.options.prefix}:artifact:${deliveryId}`;
  }
}
