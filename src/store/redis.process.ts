import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export interface LocalRedis {
  readonly url: string;
  close(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Folder for the append-only file; `null` runs without persistence. */
  readonly dir: string | null;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly binary?: string;
}

/** A free TCP port on loopback, found by letting the kernel choose one. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolveReady, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited with code ${child.exitCode}`));
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.end();
        resolveReady();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/**
 * Starts Debian's `redis-server` as a child process for `npm start` and tests when
 * REDIS_URL is unset. It dies with its parent (no daemonize), and `close()` stops it.
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  const port = options.port || (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    args.push('--dir', options.dir, '--appendonly', 'yes', '--appendfsync', 'everysec');
  } else {
    args.push('--appendonly', 'no');
  }
  // Its own process group: a terminal's Ctrl-C reaches the gateway, which drains its
  // queues before stopping Redis, rather than both at once. The exit hook stops it
  // should the gateway end without calling close().
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const onExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const spawned = new Promise<void>((resolveSpawn, reject) => {
    child.once('spawn', resolveSpawn);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server not found on PATH: run `npm run setup` or set REDIS_URL')
          : error,
      ),
    );
  });
  await spawned;
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        if (child.exitCode !== null) return resolveClose();
        child.once('exit', () => resolveClose());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
