import type IORedis from 'ioredis';
import { createRedis } from './redis.connection';

/** Messages of one kind over one Redis pub/sub channel, fanned out to local listeners. */
export interface RedisChannel<T> {
  /** To every process that listens, this one included (through Redis). */
  publish(message: T): Promise<void>;
  /** Local listener; returns the unsubscribe function. */
  subscribe(listener: (message: T) => void): () => void;
  /** Resolves once this process receives what is published from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisChannelOptions {
  readonly redisUrl: string;
  readonly channel: string;
  /** Names the connections (`<name>-publisher`, `<name>-subscriber`) in CLIENT LIST and in errors. */
  readonly name: string;
  /** Called with a listener's error or an unreadable message; default: ignored. */
  readonly onError?: (error: unknown) => void;
}

interface Pending {
  readonly raw: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One publisher connection, and one subscriber connection opened with the first
 * listener. Pub/sub keeps nothing: a process that was away misses messages, so
 * what is published must also be recorded elsewhere (the store is the record).
 */
export function createRedisChannel<T>(options: RedisChannelOptions): RedisChannel<T> {
  const { channel, name } = options;
  const onError = options.onError ?? (() => undefined);
  const listeners = new Set<(message: T) => void>();
  const publisher = createRedis(options.redisUrl, 'client', `${name}-publisher`);
  publisher.on('error', onError);
  let subscriber: IORedis | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  let closed = false;

  const deliver = (from: string, raw: string): void => {
    if (from !== channel) return;
    let message: T;
    try {
      message = JSON.parse(raw) as T;
    } catch (error) {
      onError(error);
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch (error) {
        onError(error);
      }
    }
  };

  // Messages published during one turn of the event loop leave in one pipeline: one socket write for all of
  // them instead of one each (the pipeline's steps publish several changes per delivery, many deliveries at once).
  let pending: Pending[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const pipeline = publisher.pipeline();
    for (const item of batch) pipeline.publish(channel, item.raw);
    pipeline.exec().then(
      (results) => batch.forEach((item, i) => {
        const error = results?.[i]?.[0];
        if (error) item.reject(error);
        else item.resolve();
      }),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  };

  return {
    publish(message) {
      if (closed) return Promise.reject(new Error(`${name}: expected an open publisher, got a closed one`));
      const raw = JSON.stringify(message);
      return new Promise<void>((resolve, reject) => {
        pending.push({ raw, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    subscribe(listener) {
      if (closed) throw new Error(`${name}: expected an open subscriber, got a closed one`);
      listeners.add(listener);
      if (!subscriber) {
        const connection = createRedis(options.redisUrl, 'subscriber', `${name}-subscriber`);
        connection.on('error', onError);
        connection.on('message', deliver);
        subscribed = connection.subscribe(channel).then(() => undefined);
        subscribed.catch(onError);
        subscriber = connection;
      }
      return () => {
        listeners.delete(listener);
      };
    },
    ready: () => subscribed,
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      flush();
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber?.quit().catch(() => subscriber?.disconnect())]);
    },
  };
}
