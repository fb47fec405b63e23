import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config';

export interface WorkerProcess {
  readonly pid: number;
  /** What the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM (a clean stop), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The built entry point runs what `npm run build` compiled: refuse a build older than the sources it would stand for. */
function checkBuild(): void {
  const built = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(ENTRY) || !existsSync(built)) throw new Error(`worker process: expected a build in dist/ (run \`npm run build\`; \`npm test\` does), got none`);
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'backoffice')));
  if (statSync(built).mtimeMs < sources) throw new Error('worker process: dist/ is older than src/ (run `npm run build`; `npm test` does)');
}

/** The environment that gives a separate process the same configuration as `config` (the API's). */
export function environmentOf(config: Config): Record<string, string> {
  const env: Record<string, string | null> = {
    NODE_ENV: config.env,
    LOG_LEVEL: 'warn',
    DATA_DIR: config.dataDir,
    PUBLIC_URL: config.publicUrl,
    REDIS_URL: config.redisUrl,
    DATABASE_URL: config.databaseUrl,
    CRM_URL: config.crmUrl,
    CATALOG_URL: config.catalogUrl,
    CONTRACTS_DATABASE_URL: config.contractsDatabaseUrl,
    SMTP_URL: config.smtpUrl,
    MAIL_FROM: config.mailFrom,
    TWILIO_ACCOUNT_SID: config.twilio?.accountSid ?? null,
    TWILIO_AUTH_TOKEN: config.twilio?.authToken ?? null,
    TWILIO_FROM: config.twilio?.from ?? null,
    TWILIO_MESSAGING_SERVICE_SID: config.twilio?.messagingServiceSid ?? null,
    TWILIO_API_URL: config.twilioApiUrl,
    QUEUE_PREFIX: config.queuePrefix,
    DOCUMENT_SIGNING_SECRET: config.documentSigningSecret,
    DOCUMENT_LINK_TTL_SECONDS: String(config.documentLinkTtlSeconds),
    BACKOFFICE_TIMEOUT_MS: String(config.connectors.timeoutMs),
    WORKER_CONCURRENCY: String(config.workerConcurrency),
    SENDER_ADDRESS: config.senderAddress.join('|'),
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== null));
}

/**
 * `node dist/main.js worker` (or another role) with exactly `env` (plus PATH),
 * started from `cwd` so no `.env` of the checkout leaks in; resolves once it
 * says it runs.
 */
export async function startWorkerProcess(env: Record<string, string>, cwd: string, timeoutMs = 20_000, role: 'worker' | 'api' | 'all' | 'backoffice' = 'worker'): Promise<WorkerProcess> {
  checkBuild();
  const child: ChildProcess = spawn(process.execPath, [ENTRY, role], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let running = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} process: not running after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout?.on('data', () => {
      if (running || !output.includes(role === 'backoffice' ? 'simulated back-office' : `ccm-gateway (${role}) is running`)) return;
      running = true;
      clearTimeout(timer);
      resolve();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!running) reject(new Error(`${role} process: exited with ${code} before it ran:\n${output}`));
    });
  });
  return {
    pid: child.pid ?? 0,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
