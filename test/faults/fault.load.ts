import type { Harness } from '../support/gateway.harness';

export type LoadChannel = 'EMAIL' | 'SMS';

/** A customer every channel of the suite reaches: email and a mobile number, both consented, and an active contract. */
export interface Target {
  readonly customerId: string;
  readonly contractId: string;
}

/** One request of a load run and what the API answered. */
export interface Sent {
  /** Unique per request: the idempotency key and the invoice number, so it is in the SMS text too. */
  readonly ref: string;
  readonly channel: LoadChannel;
  readonly input: Record<string, unknown>;
  communicationId: string | null;
  /** `extensions.code` of a refused request. */
  errorCode: string | null;
  /** Its message, for the report when a refusal is not the one expected. */
  errorMessage?: string | null;
}

interface CustomerNode { id: string; email: string | null; phone: string | null; preferences: { consents: string[] }; contracts: { id: string }[] | null }

/** Asks the gateway itself, so the addresses are what the pipeline will use (E.164 numbers, consents). */
export async function targetsOf(h: Harness): Promise<Target[]> {
  const { body } = await h.graphql<{ customers: { edges: { node: CustomerNode }[] } }>(
    '{ customers(first: 100) { edges { node { id email phone preferences { consents } contracts(status: ACTIVE) { id } } } } }',
  );
  const nodes = body.data?.customers.edges.map((e) => e.node) ?? [];
  const targets = nodes
    // The Twilio sink refuses numbers ending in 0000 (error 21211): those would fall over to FAILED on purpose.
    .filter((c) => c.email && c.phone && !c.phone.endsWith('0000') && c.contracts?.length)
    .filter((c) => c.preferences.consents.includes('EMAIL') && c.preferences.consents.includes('SMS'))
    .map((c) => ({ customerId: c.id, contractId: c.contracts![0].id }));
  if (targets.length < 10) throw new Error(`fault load: expected at least 10 reachable customers, got ${targets.length}: ${JSON.stringify(body.errors ?? [])}`);
  return targets;
}

export interface LoadOptions {
  /** Prefix of every ref, unique per run. */
  readonly run: string;
  readonly count: number;
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number;
  readonly targets: readonly Target[];
  /** Default: EMAIL and SMS in turn. */
  readonly channelOf?: (i: number) => LoadChannel;
  /** Called after each answer (e.g. to inject a fault at some point of the run). */
  readonly onAnswer?: (done: number) => void | Promise<void>;
}

export function requestOf(run: string, i: number, target: Target, channel: LoadChannel): { ref: string; input: Record<string, unknown> } {
  const ref = `${run}-${String(i).padStart(5, '0')}`;
  return {
    ref,
    input: {
      customerId: target.customerId,
      contractId: target.contractId,
      templateKey: 'payment-reminder',
      channelPolicy: 'EXPLICIT',
      channels: [channel],
      data: { invoiceNumber: ref, amountDue: { amount: '42.10', currency: 'EUR' }, dueDate: '2027-03-01' },
      idempotencyKey: ref,
    },
  };
}

/**
 * What a front-office app asks back when it submits: the id and the status.
 * (Nothing that reads the store again after the write, so a refusal is the write's own answer.)
 */
const SUBMIT = 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id status } }';

/** `sendCommunication` over HTTP as front-office apps call it, `concurrency` requests at a time. */
export async function sendLoad(h: Harness, options: LoadOptions): Promise<Sent[]> {
  const sent: Sent[] = [];
  let next = 0;
  let done = 0;
  const one = async (i: number): Promise<void> => {
    const channel = options.channelOf?.(i) ?? (i % 2 === 0 ? 'EMAIL' : 'SMS');
    const { ref, input } = requestOf(options.run, i, options.targets[i % options.targets.length], channel);
    const entry: Sent = { ref, channel, input, communicationId: null, errorCode: null };
    sent[i] = entry;
    await submit(h, entry);
    done += 1;
    await options.onAnswer?.(done);
  };
  const lane = async (): Promise<void> => {
    while (next < options.count) await one(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, lane));
  return sent;
}

/** Sends (or re-sends, with the same idempotency key) one request and records the answer in `entry`. */
export async function submit(h: Harness, entry: Sent): Promise<void> {
  try {
    const { body } = await h.graphql<{ sendCommunication: { id: string; status: string } | null }>(SUBMIT, { input: entry.input });
    const data = body.data?.sendCommunication ?? null;
    const errors = body.errors ?? [];
    entry.communicationId = data?.id ?? null;
    entry.errorCode = data ? null : String(errors[0]?.extensions?.code ?? errors[0]?.message ?? 'no answer');
    entry.errorMessage = data ? null : (errors[0]?.message ?? null);
  } catch (error) {
    entry.communicationId = null;
    entry.errorCode = `HTTP: ${(error as Error).message}`;
  }
}
