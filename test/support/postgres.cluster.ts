import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface PostgresCluster {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin. */
function binary(name: string): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return name;
  const majors = readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', name)));
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin', name) : name;
}

/** PostgreSQL refuses to run as root: run its binaries as the `postgres` user then. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  const path = binary(command);
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

/** A throw-away cluster (initdb + postgres) in a temp folder, trust auth on loopback only. */
export async function startPostgres(port: number): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-pg-'));
  if (userInfo().uid === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
  const data = join(dir, 'data');
  const [initCmd, initArgs] = asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const [cmd, args] = asPostgres('postgres', [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore', detached: false });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolveStop) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolveStop();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        // runuser does not pass signals on, so ask the server itself for a fast shutdown.
        const [stopCmd, stopArgs] = asPostgres('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-s']);
        try {
          execFileSync(stopCmd, stopArgs, { stdio: 'ignore', timeout: 15_000 });
        } catch {
          child.kill('SIGKILL');
        }
      }),
  };
}

/** A fresh database per test file keeps suites independent while sharing one cluster. */
export async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
