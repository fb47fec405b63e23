import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { PacedHttpOptions, PacedSample } from './paced.runner';

/*
 * The open-loop load generator, in a worker thread of the driver: its clock
 * and event loop are its own, so the back-office and the sinks that run on
 * the driver's main thread (and their garbage collections) do not delay the
 * starts nor the time taken when an answer arrives.
 */
const options = workerData as PacedHttpOptions;
const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets });
const target = new URL(options.url);
const total = options.bodies.length;
const interval = 1000 / options.rate;
const samples: PacedSample[] = new Array(total);
let started = 0;
let finished = 0;
let inFlight = 0;
let maxInFlight = 0;
let maxLagMs = 0;
let lastStart = 0;
const t0 = performance.now();

function send(index: number): void {
  const body = options.bodies[index];
  const begun = performance.now();
  lastStart = begun;
  inFlight += 1;
  maxInFlight = Math.max(maxInFlight, inFlight);
  const done = (status: number, text: string): void => {
    inFlight -= 1;
    finished += 1;
    const ok = status === 200 && !text.includes('"errors"');
    samples[index] = { ms: performance.now() - begun, ok, body: options.keepBodies || !ok ? text.slice(0, options.keepBodies ? undefined : 300) : null };
    if (finished === total) {
      agent.destroy();
      parentPort?.postMessage({ samples, maxLagMs, maxInFlight, windowMs: lastStart - t0 + interval });
    }
  };
  const request = http.request(target, {
    method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
  }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => done(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
    response.on('error', (error) => done(0, error.message));
  });
  request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
  request.on('error', (error) => done(0, error.message));
  request.end(body);
}

function tick(): void {
  const now = performance.now();
  while (started < total && t0 + started * interval <= now) {
    maxLagMs = Math.max(maxLagMs, now - (t0 + started * interval));
    send(started++);
  }
  if (started < total) setTimeout(tick, Math.max(0, t0 + started * interval - performance.now()));
}
tick();
