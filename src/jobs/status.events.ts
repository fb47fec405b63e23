import type IORedis from 'ioredis';
import type { Channel, CommunicationStatus, DeliveryStatus } from '../domain';
import type { TransitionResult } from '../store/delivery.lifecycle';
import { createRedis } from './redis.connection';

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

/** The event for a transition's outcome; `detail` is the timeline text of that step. */
export function statusEventOf(result: TransitionResult, detail: string | null = null): DeliveryStatusEvent {
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
  const channel = options.channel ?? 'ccm:delivery-status';
  const onError = options.onError ?? (() => undefined);
  const listeners = new Set<(event: DeliveryStatusEvent) => void>();
  const publisher = createRedis(options.redisUrl, 'client', 'ccm-status-publisher');
  publisher.on('error', onError);
  let subscriber: IORedis | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  let closed = false;

  const deliver = (from: string, message: string): void => {
    if (from !== channel) return;
    let event: DeliveryStatusEvent;
    try {
      event = JSON.parse(message) as DeliveryStatusEvent;
    } catch (error) {
      onError(error);
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  };

  const openSubscriber = (): void => {
    const connection = createRedis(options.redisUrl, 'subscriber', 'ccm-status-subscriber');
    connection.on('error', onError);
    connection.on('message', deliver);
    subscribed = connection.subscribe(channel).then(() => undefined);
    subscribed.catch(onError);
    subscriber = connection;
  };

  return {
    async publish(event) {
      if (closed) throw new Error('status events: expected an open publisher, got a closed one');
      await publisher.publish(channel, JSON.stringify(event));
    },
    subscribe(listener) {
      if (closed) throw new Error('status events: expected an open subscriber, got a closed one');
      listeners.add(listener);
      if (!subscriber) openSubscriber();
      return () => {
        listeners.delete(listener);
      };
    },
    ready: () => subscribed,
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber?.quit().catch(() => subscriber?.disconnect())]);
    },
  };
}
