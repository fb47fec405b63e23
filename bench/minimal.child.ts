import { hostChild } from './child.host';
import { startMinimalPipeline } from './minimal-pipeline';

/**
 * The minimal durable SMS pipeline (minimal-pipeline.ts) in a process of its
 * own, measured like the gateway: the load generator and the Twilio-compatible
 * sink stay in the driver. Environment (sent by the driver): REDIS_URL,
 * QUEUE_PREFIX, STORE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM,
 * TWILIO_API_URL, WORKER_CONCURRENCY.
 */
hostChild(async (env) => {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`minimal pipeline: expected ${name}, got nothing`);
    return value;
  };
  const concurrency = Number(required('WORKER_CONCURRENCY'));
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`minimal pipeline: WORKER_CONCURRENCY: expected an integer ≥ 1, got ${JSON.stringify(env.WORKER_CONCURRENCY)}`);
  return startMinimalPipeline({
    redisUrl: required('REDIS_URL'),
    prefix: required('QUEUE_PREFIX'),
    storeUrl: required('STORE_URL'),
    twilio: { accountSid: required('TWILIO_ACCOUNT_SID'), authToken: required('TWILIO_AUTH_TOKEN'), from: required('TWILIO_FROM'), apiUrl: required('TWILIO_API_URL') },
    concurrency,
  });
});
