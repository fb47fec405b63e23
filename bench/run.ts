import 'reflect-metadata';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { projectRoot } from '../src/runtime/project-root';
import { startBenchEnvironment, type BenchEnvironment } from './bench.environment';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench.options';
import { formatReport, type BenchResults } from './bench.report';
import { checkTargets } from './bench.targets';
import { CompletionTracker } from './completion.tracker';
import { benchCustomerView } from './customer-view.bench';
import { postGraphql } from './graphql.client';
import { benchBulkMemory } from './memory.bench';
import { benchMinimalPipeline, type MinimalPipelineRun } from './minimal.bench';
import { benchMutationLatency } from './mutation-latency.bench';
import { benchScaleOut } from './workers.bench';
import { runPipeline } from './pipeline.runner';
import { benchRawBullmq } from './raw-bullmq.bench';
import { benchRawPdf } from './raw-pdf.bench';
import { pickRecipients } from './recipients';

/** `npm run bench`: one run, every figure next to the limit it is compared with, measured minutes apart on the same machine. */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), process.env.BENCH_SCALE, join(projectRoot(), 'bench', 'results.json'));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const progress = (line: string): void => {
    process.stderr.write(`› ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${line}\n`);
  };
  progress(`starting redis, the simulated back-office (${options.customers} customers), sinks and the gateway process`);
  const env: BenchEnvironment = await startBenchEnvironment(options);
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    progress('interrupted: stopping everything');
    env.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let results: Omit<BenchResults, 'gatewayExitedCleanly' | 'directExitedCleanly' | 'totalSeconds' | 'loadAverage'>;
  let tracker: CompletionTracker | null = null;
  try {
    tracker = await CompletionTracker.start(env.events);
    const recipients = pickRecipients(env.backoffice.data);
    const recipientsByChannel = { SMS: recipients.sms, EMAIL: recipients.email };

    progress(`raw PDFKit: ${options.rawPdfs} renders of the email's letter`);
    const rawPdf = await benchRawPdf(env.backoffice, loadConfig(env.gatewayEnv), recipients.email[0], options.rawPdfs);
    progress(`raw BullMQ: ${options.rawJobs} trivial jobs, concurrency ${options.workerConcurrency}`);
    const rawBullmq = await benchRawBullmq({
      redisUrl: env.redisUrl,
      prefix: env.queuePrefix.replace('{', '{raw'),
      jobs: options.rawJobs,
      concurrency: options.workerConcurrency,
      producers: options.sendConcurrency,
    });

    progress('pipeline warm-up: 20 SMS, 10 emails');
    const common = { recipients: recipientsByChannel, concurrency: options.sendConcurrency, progress };
    await runPipeline(env, tracker, { ...common, channels: ['SMS', 'EMAIL'], count: 30, waitDelivered: true, label: 'warmup' });
    tracker.clear();
    // First after the warm-up: the RSS high-water mark that later phases leave (PDF rendering, the mutation and query
    // loads' many sockets) would hide what the flow itself adds, since V8 and malloc keep memory they once used.
    const bulk = await benchBulkMemory(env, tracker, { checkpoints: options.bulkCheckpoints, recipients: recipients.sms, progress });
    const bulkPortal = options.bulkPortal > 0
      ? await benchBulkMemory(env, tracker, { checkpoints: [options.bulkPortal], recipients: recipients.portal, channel: 'PORTAL', progress })
      : null;
    tracker.clear();
    progress(`pipeline: ${options.smsCount} SMS`);
    const sinkBefore = env.sms.messages.length;
    const sms = await runPipeline(env, tracker, { ...common, channels: ['SMS'], count: options.smsCount, waitDelivered: true, label: 'sms' });
    tracker.clear();
    // Right after the gateway's run, with the very recipients and texts the gateway sent.
    let minimal: MinimalPipelineRun | null = null;
    try {
      const messages = env.sms.messages.slice(sinkBefore).map((m) => ({ to: m.to, body: m.body }));
      minimal = await benchMinimalPipeline(env, { messages, concurrency: options.sendConcurrency, workerConcurrency: options.workerConcurrency, progress });
    } catch (error) {
      progress(`minimal durable pipeline failed: ${(error as Error).message}`);
    }
    const scaleOut = await benchScaleOut(env, { workerCounts: options.workerCounts, count: options.smsCount, recipients: recipients.sms, concurrency: options.sendConcurrency, progress });
    progress(`pipeline: ${options.emailCount} emails with PDF`);
    const email = await runPipeline(env, tracker, { ...common, channels: ['EMAIL'], count: options.emailCount, waitDelivered: false, label: 'email' });
    tracker.clear();

    const mutation = await benchMutationLatency(env, tracker, { rate: options.mutationRate, seconds: options.mutationSeconds, recipients: recipientsByChannel, progress });

    // Customers who now have a contact history, so the 360 view reads real rows.
    const served = [...new Set([...recipients.sms.slice(0, options.smsCount), ...recipients.email.slice(0, options.emailCount)].map((r) => r.customerId))];
    const customerView = await benchCustomerView(env, options, served, progress);

    const stats = await postGraphql<{ deliveryStats: BenchResults['deliveryStats'] }>(env.gateway.url,
      'query Stats($from: DateTime!, $to: DateTime!) { deliveryStats(from: $from, to: $to) { total byChannel { channel status count } } }',
      { from: new Date(startedAt.getTime() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

    results = {
      date: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      command: `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: totalmem() / 2 ** 30, node: process.version, platform: `${process.platform} ${process.arch}` },
      settings: {
        scale: options.scale, store: env.store, workerConcurrency: options.workerConcurrency, renderThreads: options.renderThreads, sendConcurrency: options.sendConcurrency,
        connections: options.connections, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds,
        backofficeLatenciesMs: options.backofficeLatenciesMs.join(','), catalogCacheMs: options.catalogCacheMs, customers: options.customers, contracts: options.contracts,
        mutationRate: options.mutationRate, mutationSeconds: options.mutationSeconds, bulkCheckpoints: options.bulkCheckpoints.join(','),
        bulkPortal: options.bulkPortal, workers: options.workerCounts.join(',') || 'none',
      },
      rawPdf, rawBullmq, sms, email, mutation, customerView, bulk, minimal, bulkPortal, scaleOut,
      targets: checkTargets(customerView, bulk, { sms, email, rawPdf, minimal, bulkPortal, scaleOut, bulkLarge: options.bulkLarge }),
      deliveryStats: stats.data?.deliveryStats ?? null,
    };
  } catch (error) {
    progress(`failed: ${(error as Error).stack ?? String(error)}`);
    tracker?.stop();
    await env.close();
    process.exitCode = 1;
    return;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  tracker.stop();
  progress('stopping the gateway process and the environment');
  const { gatewayLeaked, directLeaked } = await env.close();
  const full: BenchResults = {
    ...results,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    totalSeconds: (performance.now() - started) / 1000,
    gatewayExitedCleanly: !gatewayLeaked,
    directExitedCleanly: !directLeaked,
  };
  process.stdout.write(`\n${formatReport(full)}\n`);
  if (options.jsonPath) {
    mkdirSync(dirname(options.jsonPath), { recursive: true });
    writeFileSync(options.jsonPath, `${JSON.stringify(full, null, 2)}\n`);
    progress(`results written to ${options.jsonPath}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
