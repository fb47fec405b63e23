import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Channel, ChannelPolicy, DeliveryStatus, Priority } from '../src/domain';
import { openStore } from '../src/store/data-source';

/**
 * The store's share of one SMS, alone: `node dist/bench/store-steps.js [n]
 * [postgres://server]` drives the repository through what the pipeline does
 * for each SMS — create, outbox mark, RENDERING, RENDERED, SENDING, SENT
 * (with the SID), the provider look-up of the callback, DELIVERED — 16
 * communications at a time, and prints the process's CPU ms per
 * communication. Run it on the old and the new build, alternated.
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2_000);
  const server = process.argv[3] ?? null;
  const dir = mkdtempSync(join(tmpdir(), 'ccm-store-steps-'));
  let url = `sqlite:${join(dir, 'store.sqlite')}`;
  const name = `ccm_steps_${process.pid}`;
  if (server) {
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(server);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const store = await openStore(url);
  const repository = store.communications;
  const one = async (i: number): Promise<void> => {
    const { communication, deliveries } = await repository.create({
      callerId: 'bench', idempotencyKey: null, customerId: `C${i % 500}`, contractId: null, templateKey: 'invoice-available',
      channelPolicy: ChannelPolicy.EXPLICIT, requestedChannels: [Channel.SMS], data: { invoiceNumber: `INV-${i}` }, priority: Priority.NORMAL,
      scheduledAt: null, plans: [{ chain: [Channel.SMS], recipient: null }],
    });
    const id = deliveries[0].id;
    await repository.markQueued(communication.id);
    await repository.markRendering(communication.id);
    await repository.transition(id, DeliveryStatus.RENDERED, { detail: 'SMS rendered (1 × GSM-7)' });
    await repository.getDelivery(id);
    await repository.get(communication.id);
    await repository.transition(id, DeliveryStatus.SENDING, { attemptsIncrement: 1, detail: 'attempt 1' });
    await repository.transition(id, DeliveryStatus.SENT, { providerMessageId: `SM${i}`, detail: 'twilio status queued' });
    const found = await repository.findByProviderMessageId(`SM${i}`);
    await repository.transition(found!.id, DeliveryStatus.DELIVERED, { detail: 'twilio status delivered' });
  };
  const run = async (n: number, offset: number): Promise<{ ms: number; cpu: number }> => {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < n) await one(offset + next++);
    }));
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
  };
  await run(200, 10_000_000); // warm-up
  const r = await run(count, 0);
  const stats = await repository.stats(new Date(0), new Date(Date.now() + 60_000));
  const delivered = stats.byChannel.find((c) => c.channel === Channel.SMS && c.status === DeliveryStatus.DELIVERED)?.count ?? 0;
  console.log(`${server ? 'postgres' : 'sqlite'}: ${count} communications in ${(r.ms / 1000).toFixed(2)} s, ${(count / (r.ms / 1000)).toFixed(0)}/s, CPU ${(r.cpu / count).toFixed(3)} ms per communication; ${delivered} DELIVERED`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (server) {
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
