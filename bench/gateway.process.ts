import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildReply, ChildRequest, MemoryReading } from './gateway.protocol';

type Request = ChildRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  /** Current and peak memory and the event loop delay since the last reset, plus CPU time; `gc` collects first. */
  memory(options?: { gc?: boolean; resetPeak?: boolean }): Promise<MemoryReading>;
  /** Stops the gateway, then waits for the process to exit by itself (else it is killed and `leaked` is set). */
  close(): Promise<{ leaked: boolean }>;
}

export interface ForkOptions {
  /** The child's script in this folder. Default 'gateway.child.js'; 'direct.child.js' runs the hand-written client under the same protocol. */
  readonly entry?: string;
  /** Default 'all' (API and workers in one process, as `npm start`). */
  readonly role?: 'all' | 'api' | 'worker';
  /** Write a V8 CPU profile of the whole process there when it exits. Default: none. */
  readonly cpuProfileDir?: string | null;
  /** Default 60 s. */
  readonly startTimeoutMs?: number;
}

/**
 * Forks `gateway.child.js` (or `options.entry`) and starts `startGateway(loadConfig(env), role)` in it.
 * `--expose-gc` lets memory readings be taken after a collection.
 */
export async function forkGateway(env: Readonly<Record<string, string>>, options: ForkOptions = {}): Promise<GatewayProcess> {
  const role = options.role ?? 'all';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const execArgv = ['--expose-gc', ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [])];
  const child: ChildProcess = fork(join(__dirname, options.entry ?? 'gateway.child.js'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, { resolve(reply: ChildReply): void; reject(error: Error): void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.on('message', (reply: ChildReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.type === 'error') waiter.reject(new Error(`gateway process: ${reply.message}`));
    else waiter.resolve(reply);
  });
  void exited.then((code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`gateway process exited with code ${code} while a request was pending`));
    pending.clear();
  });

  const ask = (request: Request, ms: number): Promise<ChildReply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`gateway process: no answer to ${request.type} within ${ms} ms`));
      }, ms);
      pending.set(id, {
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ ...request, id } as ChildRequest);
    });

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };

  let started: ChildReply;
  try {
    started = await ask({ type: 'start', role, env }, timeoutMs);
  } catch (error) {
    await kill();
    throw error;
  }
  const url = started.type === 'started' ? started.url : '';

  return {
    url,
    pid: child.pid ?? 0,
    async memory(options = {}) {
      const reply = await ask({ type: 'memory', gc: options.gc ?? false, resetPeak: options.resetPeak ?? false }, 10_000);
      if (reply.type !== 'memory') throw new Error(`gateway process: expected a memory reading, got ${reply.type}`);
      return reply.reading;
    },
    async close() {
      if (child.exitCode !== null) return { leaked: false };
      try {
        await ask({ type: 'stop' }, 30_000);
      } catch {
        await kill();
        return { leaked: true };
      }
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
      const outcome = await Promise.race([exited, timer]);
      if (outcome === 'timeout') {
        await kill();
        return { leaked: true };
      }
      return { leaked: false };
    },
  };
}
