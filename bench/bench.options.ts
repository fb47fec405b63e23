export type Scale = 'small' | 'default';

/** Everything a run does, parsed once from the command line (and BENCH_SCALE). */
export interface BenchOptions {
  readonly scale: Scale;
  /** PostgreSQL server URL for the gateway's store; a fresh database is created and dropped. Null: SQLite. */
  readonly postgresUrl: string | null;
  /** autocannon connections per customer-view scenario. */
  readonly connections: number;
  /** Seconds measured per customer-view scenario, after `warmupSeconds` unmeasured. */
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** Delays the simulated CRM and catalog add to every answer: the customer view is measured at each; the pipeline runs at the first. */
  readonly backofficeLatenciesMs: readonly number[];
  /** CATALOG_CACHE_TTL_MS of the gateway; null keeps the gateway's default. */
  readonly catalogCacheMs: number | null;
  /** WORKER_CONCURRENCY of the gateway, also the raw BullMQ worker's concurrency. */
  readonly workerConcurrency: number;
  /** The gateway's RENDER_THREADS (letter PDFs on worker threads; 0: on the event loop); null: the gateway's default (cores − 1). */
  readonly renderThreads: number | null;
  /** Mutations in flight at once while feeding the pipeline. */
  readonly sendConcurrency: number;
  readonly smsCount: number;
  readonly emailCount: number;
  readonly rawJobs: number;
  readonly rawPdfs: number;
  /** Completion points of the bulk memory run, ascending; the last is the number of communications sent. */
  readonly bulkCheckpoints: readonly number[];
  /** True: the bulk memory run is one run of 100,000 listed SMS targets, checkpoints every 20,000 (`--bulk-large`). */
  readonly bulkLarge: boolean;
  /** Communications of the bulk PORTAL run (its communications/s); 0: not run. */
  readonly bulkPortal: number;
  /** Worker processes behind one API process for the scale-out runs, e.g. [1, 2]; empty: not run. */
  readonly workerCounts: readonly number[];
  /** sendCommunication calls per second in the mutation latency run, and for how long. */
  readonly mutationRate: number;
  readonly mutationSeconds: number;
  /** Simulated back-office size. */
  readonly customers: number;
  readonly contracts: number;
  /** Where the results go as JSON; null: not written. */
  readonly jsonPath: string | null;
  /** Delay between the Twilio-compatible sink's status steps (queued → sent → delivered). */
  readonly callbackDelayMs: number;
  /** When set, the gateway process writes a V8 CPU profile there (node --cpu-prof). */
  readonly cpuProfileDir: string | null;
}

type Preset = Omit<BenchOptions, 'scale' | 'postgresUrl' | 'backofficeLatenciesMs' | 'catalogCacheMs' | 'jsonPath' | 'callbackDelayMs' | 'cpuProfileDir' | 'mutationRate' | 'renderThreads' | 'bulkLarge' | 'workerCounts'>;

/** `--bulk-large`: 100,000 listed targets in one run need that many SMS customers (about 40 % of the simulated ones). */
export const BULK_LARGE = { checkpoints: [20_000, 40_000, 60_000, 80_000, 100_000], customers: 250_000, contracts: 625_000 } as const;

const PRESETS: Readonly<Record<Scale, Preset>> = {
  small: {
    connections: 20, durationSeconds: 5, warmupSeconds: 1, workerConcurrency: 8, sendConcurrency: 16,
    smsCount: 200, emailCount: 100, rawJobs: 5_000, rawPdfs: 300, bulkCheckpoints: [1_000, 2_000, 4_000], bulkPortal: 1_000, mutationSeconds: 5,
    customers: 2_000, contracts: 5_000,
  },
  default: {
    connections: 20, durationSeconds: 15, warmupSeconds: 3, workerConcurrency: 8, sendConcurrency: 16,
    smsCount: 1_000, emailCount: 400, rawJobs: 10_000, rawPdfs: 500, bulkCheckpoints: [5_000, 10_000, 20_000], bulkPortal: 4_000, mutationSeconds: 10,
    customers: 10_000, contracts: 25_000,
  },
};

export const USAGE = `usage: node dist/bench/run.js [options]   (or: npm run bench -- [options])
  --scale small|default     preset sizes (also BENCH_SCALE); small about 3 min, default under 10 min on 2 cores
  --postgres <url>          gateway store on PostgreSQL (a fresh database is created there, then dropped)
  --connections <n>         autocannon connections (default 20)
  --duration <s>            seconds per customer-view scenario, and of the half-peak run (default 15; small 5)
  --backoffice-latency <ms,ms,...>
                            delays of the simulated CRM and catalog; the customer view is measured at each,
                            the pipeline and bulk runs at the first (default 0,20)
  --catalog-cache <ms>      gateway CATALOG_CACHE_TTL_MS, also the direct client's (default: the gateway's, 30000)
  --worker-concurrency <n>  gateway WORKER_CONCURRENCY and raw BullMQ concurrency (default 8)
  --render-threads <n>      gateway RENDER_THREADS: letter PDFs on worker threads (default: the gateway's, cores − 1; 0: on the event loop)
  --send-concurrency <n>    sendCommunication calls in flight while feeding the pipeline (default 16)
  --sms <n> --email <n>     communications per pipeline scenario (default 1000, 400; small 200, 100)
  --raw-jobs <n> --raw-pdfs <n>
  --mutation-rate <n/s>     sendCommunication calls per second in the mutation latency run (default 50)
  --mutation-seconds <s>    length of that run (default 10; small 5)
  --bulk <n,n,...>          completion points of the bulk memory run; the last is how many SMS are sent
                            (default 5000,10000,20000; small 1000,2000,4000)
  --bulk-large              the bulk memory run as one run of 100,000 SMS targets, checkpoints 20000,…,100000
                            (a back-office of 250,000 customers; adds about 10 min)
  --bulk-portal <n>         communications of the bulk PORTAL run (default 4000; small 1000; 0: not run)
  --workers <n,n,...>       scale-out: the SMS run again on an API process with n worker processes each
                            (default 1,2 with --postgres, not run on SQLite; 0: not run)
  --callback-delay <ms>     Twilio-compatible sink: delay of each status step (default 20)
  --cpu-prof <dir>          write a CPU profile of the gateway process there (open it in Chrome DevTools)
  --json <path>|--no-json   where to write the results (default bench/results.json)`;

function int(flag: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${flag}: expected an integer from ${min} to ${max}, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`);
  }
  return value;
}

/** `argv` without node and the script; `scaleEnv` is BENCH_SCALE; `defaultJson` is bench/results.json of the project. */
export function parseBenchOptions(argv: readonly string[], scaleEnv: string | undefined, defaultJson: string): BenchOptions {
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`expected an option such as --scale, got ${JSON.stringify(arg)}\n${USAGE}`);
    const [name, inline] = arg.split('=', 2);
    if (name === '--no-json' || name === '--help' || name === '--bulk-large') flags.set(name, '');
    else if (inline !== undefined) flags.set(name, inline);
    else flags.set(name, argv[(i += 1)]);
  }
  const known = ['--scale', '--postgres', '--connections', '--duration', '--backoffice-latency', '--catalog-cache', '--worker-concurrency',
    '--send-concurrency', '--sms', '--email', '--raw-jobs', '--raw-pdfs', '--bulk', '--json', '--no-json', '--help', '--callback-delay', '--cpu-prof',
    '--mutation-rate', '--mutation-seconds', '--render-threads', '--bulk-large', '--bulk-portal', '--workers'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option ${name}\n${USAGE}`);
  if (flags.has('--help')) throw new Error(USAGE);

  const scaleRaw = flags.get('--scale') ?? scaleEnv ?? 'default';
  if (scaleRaw !== 'small' && scaleRaw !== 'default') throw new Error(`--scale (or BENCH_SCALE): expected small or default, got ${JSON.stringify(scaleRaw)}`);
  const scale: Scale = scaleRaw;
  const preset = PRESETS[scale];
  const opt = (flag: string, fallback: number, min: number, max: number): number => (flags.has(flag) ? int(flag, flags.get(flag), min, max) : fallback);
  const postgresUrl = flags.get('--postgres') ?? null;
  if (flags.has('--postgres') && !/^postgres(ql)?:\/\//.test(postgresUrl ?? '')) throw new Error(`--postgres: expected a postgres:// URL, got ${JSON.stringify(postgresUrl)}`);
  const list = (flag: string, fallback: readonly number[], min: number, max: number): number[] => {
    if (!flags.has(flag)) return [...fallback];
    const values = (flags.get(flag) ?? '').split(',').map((part) => int(flag, part.trim(), min, max));
    return [...new Set(values)];
  };
  const bulkLarge = flags.has('--bulk-large');
  if (bulkLarge && flags.has('--bulk')) throw new Error('--bulk-large: sets the bulk checkpoints itself, expected no --bulk with it');
  const bulkCheckpoints = list('--bulk', bulkLarge ? BULK_LARGE.checkpoints : preset.bulkCheckpoints, 1, 200_000).sort((a, b) => a - b);
  const workerCounts = list('--workers', postgresUrl ? [1, 2] : [], 0, 16).filter((n) => n > 0);
  // In the order given: the first is also the latency of the pipeline runs.
  const backofficeLatenciesMs = list('--backoffice-latency', [0, 20], 0, 60_000);
  const durationSeconds = opt('--duration', preset.durationSeconds, 1, 600);

  return Object.freeze({
    scale,
    postgresUrl,
    connections: opt('--connections', preset.connections, 1, 1_000),
    durationSeconds,
    warmupSeconds: Math.min(preset.warmupSeconds, durationSeconds),
    backofficeLatenciesMs: Object.freeze(backofficeLatenciesMs),
    catalogCacheMs: flags.has('--catalog-cache') ? int('--catalog-cache', flags.get('--catalog-cache'), 0, 86_400_000) : null,
    workerConcurrency: opt('--worker-concurrency', preset.workerConcurrency, 1, 256),
    renderThreads: flags.has('--render-threads') ? int('--render-threads', flags.get('--render-threads'), 0, 32) : null,
    sendConcurrency: opt('--send-concurrency', preset.sendConcurrency, 1, 1_000),
    smsCount: opt('--sms', preset.smsCount, 1, 100_000),
    emailCount: opt('--email', preset.emailCount, 1, 100_000),
    rawJobs: opt('--raw-jobs', preset.rawJobs, 1, 1_000_000),
    rawPdfs: opt('--raw-pdfs', preset.rawPdfs, 1, 100_000),
    bulkCheckpoints: Object.freeze(bulkCheckpoints),
    bulkLarge,
    bulkPortal: opt('--bulk-portal', preset.bulkPortal, 0, 200_000),
    workerCounts: Object.freeze(workerCounts),
    mutationRate: opt('--mutation-rate', 50, 1, 10_000),
    mutationSeconds: opt('--mutation-seconds', preset.mutationSeconds, 1, 600),
    customers: bulkLarge ? BULK_LARGE.customers : preset.customers,
    contracts: bulkLarge ? BULK_LARGE.contracts : preset.contracts,
    jsonPath: flags.has('--no-json') ? null : (flags.get('--json') ?? defaultJson),
    callbackDelayMs: opt('--callback-delay', 20, 0, 60_000),
    cpuProfileDir: flags.get('--cpu-prof') ?? null,
  });
}
