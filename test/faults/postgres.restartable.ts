import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A throw-away PostgreSQL cluster that can be stopped and started again on the same port and data. */
export interface RestartablePostgres {
  readonly url: string;
  /** `pg_ctl stop -m fast`: open sessions are terminated, new ones refused. */
  stop(): void;
  start(): void;
  /** Stops it (if running) and deletes its data. */
  destroy(): void;
}

/** Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin. */
function binary(name: string): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return name;
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', name)));
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin', name) : name;
}

/** PostgreSQL refuses to run as root: its tools run as the `postgres` user then. */
function run(command: string, args: string[]): void {
  const path = binary(command);
  const [cmd, argv] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  execFileSync(cmd, argv, { stdio: 'ignore', timeout: 30_000 });
}

/**
 * Unlike the suite's shared cluster (test/support/postgres.cluster.ts), this
 * one is run by `pg_ctl`, so the fault suite can take the database away and
 * bring it back while the gateway keeps running.
 */
export function startRestartablePostgres(port: number): RestartablePostgres {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-fault-pg-'));
  if (userInfo().uid === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  let running = false;
  const start = (): void => {
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    running = true;
  };
  const stop = (): void => {
    if (!running) return;
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };
  // pg_ctl detaches the server: make sure it does not outlive a crashed test run.
  const onExit = (): void => {
    try {
      stop();
    } catch {
      // best effort
    }
  };
  process.once('exit', onExit);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    destroy() {
      stop();
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
