import type { ChildReply, ChildRequest } from './gateway.protocol';
import { startMemorySampler } from './memory.sampler';

/** What a measured child process runs: started from the environment the driver sends, stopped on request. */
export interface HostedServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the driver's IPC requests (gateway.protocol.ts) in a forked child:
 * `start` calls `start(env, role)`, `memory` answers the process's own memory
 * and CPU readings, `stop` closes the server and lets the process exit by
 * itself (the driver reports a leak when it does not).
 */
export function hostChild(start: (env: Readonly<Record<string, string>>, role: 'all' | 'api' | 'worker') => Promise<HostedServer>): void {
  const sampler = startMemorySampler();
  let server: HostedServer | null = null;
  const reply = (message: ChildReply): void => {
    process.send?.(message);
  };

  const handle = async (request: ChildRequest): Promise<void> => {
    switch (request.type) {
      case 'start': {
        server = await start(request.env, request.role);
        reply({ type: 'started', id: request.id, url: server.url });
        return;
      }
      case 'memory': {
        // A collection first, when asked and allowed (--expose-gc), so "after" readings show what is retained.
        if (request.gc && typeof global.gc === 'function') global.gc();
        const current = sampler.reading();
        if (request.resetPeak) sampler.resetPeaks(current);
        reply({ type: 'memory', id: request.id, reading: current });
        return;
      }
      case 'stop': {
        sampler.stop();
        await server?.close();
        server = null;
        reply({ type: 'stopped', id: request.id });
        // Nothing else keeps the process alive once the IPC channel is gone.
        process.disconnect?.();
        return;
      }
    }
  };

  process.on('message', (request: ChildRequest) => {
    handle(request).catch((error: unknown) => reply({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }));
  });
}
