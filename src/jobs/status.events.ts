import type { Channel, CommunicationStatus, DeliveryStatus } from '../domain';
import type { TransitionResult } from '../store/delivery.lifecycle';
import { createRedisChannel } from './redis.channel';

/** One status change of one delivery, as every API process and subscriber sees it. */
export interface DeliveryStatusEvent {
  deliveryId: string;
  communicationId: string;
  customerId: string;
  channel: Channel;
  status: DeliveryStatus;
  communicationStatus: CommunicationStatus;
  detail: string | null;
  /** ISO-8601 with milliseconds: the time written to the timeline. */
  at: string;
}

export interface StatusEvents {
  /** To every process that subscribed, this one included (through Redis). */
  publish(event: DeliveryStatusEvent): Promise<void>;
  /** Local listener; returns the unsubscribe function. */
  subscribe(listener: (event: DeliveryStatusEvent) => void): () => void;
  /** Resolves once this process receives what is published from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisStatusEventsOptions {
  readonly redisUrl: string;
  /** Pub/sub channel; default "ccm:delivery-status". */
  readonly channel?: string;
  /** Called with a listener's error or an unreadable message; default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/** The event for a delivery as a step left it (a transition's outcome); `detail` is the timeline text of that step. */
export function statusEventOf(result: Pick<TransitionResult, 'delivery' | 'communication'>, detail: string | null = null): DeliveryStatusEvent {
  const { delivery, communication } = result;
  return {
    deliveryId: delivery.id,
    communicationId: delivery.communicationId,
    customerId: delivery.customerId,
    channel: delivery.channel,
    status: delivery.status,
    communicationStatus: communication.status,
    detail,
    at: delivery.updatedAt.toISOString(),
  };
}

/**
 * Status events over Redis pub/sub: one publisher connection, one subscriber
 * connection opened with the first listener, and a local fan-out, so any number
 * of API and worker processes see every change. Pub/sub keeps nothing: a
 * process that was away misses events, and the timeline in the database stays
 * the record.
 */
export function createRedisStatusEvents(options: RedisStatusEventsOptions): StatusEvents {
  return createRedisChannel<DeliveryStatusEvent>({ redisUrl: options.redisUrl, channel: options.channel ?? 'ccm:delivery-status', name: 'ccm-status', onError: options.onError });
}
