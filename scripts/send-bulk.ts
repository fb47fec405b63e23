import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/*
 * Operators' command line for bulk sends: starts a run on a running gateway over
 * HTTP GraphQL (or watches one) and draws its progress until it is over.
 *   npm run send-bulk -- --template contract-renewal --product HOME-PREMIUM --status ACTIVE \
 *     --policy EXPLICIT --channels EMAIL,LETTER --data '{"renewalDate":"2027-01-01"}' --key renewals-2027
 * Credentials: --api-key / --token, or CCM_API_KEY / CCM_TOKEN; gateway: --url or CCM_URL.
 * Exit codes: 0 completed, 1 failed or unreachable, 2 bad usage, 3 cancelled, 130 detached (Ctrl-C).
 */

const USAGE = `usage: send-bulk --template KEY (--ids C1,C2 | --customers FILE | --product CODE | --status S | --segment S | --all)
                 [--policy PREFERRED|ALL_CONSENTED|EXPLICIT] [--channels SMS,EMAIL,...] [--data JSON | --data-file FILE]
                 [--key BATCH_KEY] [--priority LOW|NORMAL|HIGH|URGENT] [--scheduled-at ISO] [--no-wait]
       send-bulk --watch BATCH_ID | --cancel BATCH_ID
  common: [--url URL] [--api-key KEY | --token JWT] [--interval MS]`;

const FIELDS = 'id key run status error progress { total targeted queued duplicates rejected waiting rendered sent delivered failed cancelled settled done }';

interface Progress { total: number | null; targeted: number; queued: number; duplicates: number; rejected: number; waiting: number; rendered: number; sent: number; delivered: number; failed: number; cancelled: number; settled: number; done: boolean }
interface Batch { id: string; key: string; run: number; status: string; error: string | null; progress: Progress }

class UsageError extends Error {}

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' }, 'api-key': { type: 'string' }, token: { type: 'string' }, template: { type: 'string' },
      ids: { type: 'string' }, customers: { type: 'string' }, product: { type: 'string' }, status: { type: 'string' }, segment: { type: 'string' },
      all: { type: 'boolean' }, policy: { type: 'string' }, channels: { type: 'string' }, data: { type: 'string' }, 'data-file': { type: 'string' },
      key: { type: 'string' }, priority: { type: 'string' }, 'scheduled-at': { type: 'string' }, 'no-wait': { type: 'boolean' },
      watch: { type: 'string' }, cancel: { type: 'string' }, interval: { type: 'string' }, help: { type: 'boolean' },
    },
    strict: true,
  });
  return values;
}

type Options = ReturnType<typeof options>;

function inputOf(o: Options): Record<string, unknown> {
  if (!o.template) throw new UsageError('--template: expected a template key, got none');
  const list = o.customers ? readFileSync(o.customers === '-' ? 0 : o.customers, 'utf8').split(/[\s,]+/).filter(Boolean) : o.ids ? o.ids.split(',').filter(Boolean) : null;
  const data = o['data-file'] ? readFileSync(o['data-file'], 'utf8') : o.data;
  let parsed: unknown;
  try {
    parsed = data ? JSON.parse(data) : undefined;
  } catch {
    throw new UsageError('--data: expected JSON');
  }
  return {
    templateKey: o.template,
    target: { customerIds: list, productCode: o.product ?? null, contractStatus: o.status ?? null, segment: o.segment ?? null, allCustomers: o.all ?? false },
    ...(o.policy ? { channelPolicy: o.policy } : {}),
    ...(o.channels ? { channels: o.channels.split(',') } : {}),
    ...(parsed !== undefined ? { data: parsed } : {}),
    ...(o.key ? { batchKey: o.key } : {}),
    ...(o.priority ? { priority: o.priority } : {}),
    ...(o['scheduled-at'] ? { scheduledAt: o['scheduled-at'] } : {}),
  };
}

function client(o: Options, env: NodeJS.ProcessEnv) {
  const url = o.url ?? env.CCM_URL ?? 'http://127.0.0.1:4000/graphql';
  const endpoint = /\/graphql$/.test(url) ? url : `${url.replace(/\/+$/, '')}/graphql`;
  const apiKey = o['api-key'] ?? env.CCM_API_KEY;
  const token = o.token ?? env.CCM_TOKEN;
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    if (!response.ok || !body.data) throw new Error(`gateway answered HTTP ${response.status}`);
    return body.data;
  };
}

const n = (value: number): string => value.toLocaleString('en-US');

/** One line: a bar over what is settled (reached, failed, skipped) out of what is known. */
export function progressLine(batch: Batch, width = 30): string {
  const p = batch.progress;
  const total = p.total ?? p.targeted;
  const finished = p.rejected + p.duplicates + p.settled;
  const ratio = p.done ? 1 : total > 0 ? Math.min(1, finished / total) : 0;
  const filled = Math.round(ratio * width);
  const reading = p.total !== null && p.targeted < p.total ? ` · read ${n(p.targeted)}/${n(p.total)}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${batch.status} · queued ${n(p.queued)} · sent ${n(p.sent)} · delivered ${n(p.delivered)} · failed ${n(p.failed)} · rejected ${n(p.rejected)} · skipped ${n(p.duplicates)}${reading}`;
}

async function watch(call: ReturnType<typeof client>, id: string, intervalMs: number, out: NodeJS.WriteStream): Promise<Batch> {
  let lastLine = '';
  let lastPrint = 0;
  for (;;) {
    const { batch } = await call<{ batch: Batch | null }>(`query($id: ID!) { batch(id: $id) { ${FIELDS} } }`, { id });
    if (!batch) throw new Error(`batch ${id}: not found`);
    const line = progressLine(batch);
    if (out.isTTY) out.write(`\r${line}\x1b[K`);
    else if (line !== lastLine && (Date.now() - lastPrint > 5_000 || batch.progress.done)) {
      out.write(`${line}\n`);
      lastPrint = Date.now();
    }
    lastLine = line;
    if (batch.progress.done) {
      if (out.isTTY) out.write('\n');
      return batch;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = options(argv);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const call = client(o, env);
  const intervalMs = Number(o.interval ?? 1_000);
  if (o.cancel) {
    const { cancelBatch } = await call<{ cancelBatch: Batch }>(`mutation($id: ID!) { cancelBatch(id: $id) { ${FIELDS} } }`, { id: o.cancel });
    console.log(`batch ${cancelBatch.id}: ${cancelBatch.status}`);
    return 0;
  }
  let id = o.watch;
  if (!id) {
    const { sendBulkCommunication: batch } = await call<{ sendBulkCommunication: Batch }>(`mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { ${FIELDS} } }`, { input: inputOf(o) });
    console.log(`batch ${batch.id} (key ${batch.key}, run ${batch.run}): ${batch.status}`);
    if (o['no-wait']) return 0;
    id = batch.id;
  }
  process.once('SIGINT', () => {
    process.stdout.write(`\ndetached: the batch goes on; watch it again with --watch ${id}\n`);
    process.exit(130);
  });
  const done = await watch(call, id, intervalMs, process.stdout);
  const p = done.progress;
  console.log(`${done.status}: ${n(p.queued)} queued, ${n(p.sent)} sent, ${n(p.delivered)} delivered, ${n(p.failed)} failed, ${n(p.cancelled)} cancelled, ${n(p.rejected)} rejected, ${n(p.duplicates)} already sent by an earlier run${done.error ? ` (${done.error})` : ''}`);
  return done.status === 'COMPLETED' ? 0 : done.status === 'CANCELLED' ? 3 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(`send-bulk: ${(error as Error).message}${usage ? `\n${USAGE}` : ''}`);
      process.exit(usage ? 2 : 1);
    },
  );
}
