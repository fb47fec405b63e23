import { Worker } from 'node:worker_threads';

export interface WalCheckpointer {
  /** One last checkpoint, then the thread ends. */
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  /** Time between checkpoints; default 250 ms. */
  readonly intervalMs?: number;
  /** A checkpoint that failed (the next one tries again); default: ignored. */
  readonly onError?: (message: string) => void;
}

/**
 * The thread's whole program: a connection of its own to the file, a PASSIVE
 * checkpoint per tick (it copies what it can and never waits for, nor holds
 * up, the process's writer or readers), and a last one on "close".
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ closed: true });
});
`;

/**
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses its
 * threshold, on the event loop: it copies about a thousand pages into the
 * database file and waits for the disk twice — milliseconds in which nothing
 * else in the process runs, once every hundred or so of the pipeline's
 * commits (more than half of all the time the store spent in COMMIT, measured
 * on the SMS benchmark). This thread does that work beside the event loop;
 * the caller keeps the connection's own automatic checkpoint as a backstop, at
 * a larger threshold, for when the thread falls behind.
 */
export function startWalCheckpointer(file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const worker = new Worker(PROGRAM, {
    eval: true,
    workerData: { file, driver: require.resolve('better-sqlite3'), intervalMs: options.intervalMs ?? 250 },
  });
  // Not a reason to keep the process alive: the process's own connection checkpoints when it closes.
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error) options.onError?.(message.error);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  let exited = false;
  worker.once('exit', () => (exited = true));
  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        const done = (): void => {
          void worker.terminate().then(() => resolve(), () => resolve());
        };
        worker.once('exit', () => resolve());
        worker.on('message', (message: { closed?: boolean }) => {
          if (message.closed) done();
        });
        worker.postMessage('close');
        // A thread that cannot answer (its checkpoint stuck on the disk) must not hold up shutdown.
        setTimeout(done, 2_000).unref();
      });
      return closing;
    },
  };
}
