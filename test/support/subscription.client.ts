import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphqlError } from './communication.client';

export interface Subscription<T> {
  /** Every `data` received, in arrival order. */
  readonly received: T[];
  /** Errors of the operation (a `next` with errors, or an `error` message). */
  readonly errors: GraphqlError[];
  /** Resolves once `done(received)` holds; rejects with what arrived when it does not within `timeoutMs`. */
  until(done: (received: readonly T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the server completed the operation (or it failed). */
  readonly ended: Promise<void>;
  dispose(): void;
}

/** A graphql-transport-ws client on `<http url>/graphql`, as a browser app would open it. */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> = {}): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
  });
}

/** One query over the socket; its answer means every message sent before it was read by the server. */
export function roundTrip(client: Client): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe({ query: '{ __typename }' }, { next: (value) => (result = value), error: reject, complete: () => resolve(result) });
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>, field: string): Subscription<T> {
  const received: T[] = [];
  const errors: GraphqlError[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => waiters.forEach((w) => w());
  let end: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const dispose = client.subscribe<Record<string, T>>({ query, variables }, {
    next: (value) => {
      if (value.errors) errors.push(...(value.errors as unknown as GraphqlError[]));
      if (value.data?.[field]) received.push(value.data[field]);
      wake();
    },
    error: (error) => {
      if (Array.isArray(error)) errors.push(...(error as GraphqlError[]));
      else errors.push({ message: error instanceof Error ? error.message : String((error as { reason?: unknown }).reason ?? error) });
      end();
      wake();
    },
    complete: () => {
      end();
      wake();
    },
  });
  return {
    received,
    errors,
    ended,
    dispose,
    until(done, timeoutMs = 10_000) {
      if (done(received)) return Promise.resolve([...received]);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!done(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`subscription: condition not met within ${timeoutMs} ms; received ${JSON.stringify(received)}, errors ${JSON.stringify(errors)}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}
