import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Harness } from './gateway.harness';

export interface EventView { at: string; status: string; detail: string | null }
export interface DeliveryView {
  id: string;
  channel: string;
  status: string;
  recipient: string | null;
  attempts: number;
  providerMessageId: string | null;
  error: string | null;
  updatedAt: string;
  fallbackChannels: string[];
  events: EventView[];
}
export interface DocumentView { id: string; kind: string; mimeType: string; pages: number | null; sizeBytes: number; sha256: string; createdAt: string; downloadUrl: string }
export interface CommunicationView { id: string; customerId: string; templateKey: string; status: string; createdAt: string; scheduledAt: string | null; deliveries: DeliveryView[]; documents: DocumentView[] }
export interface GraphqlError { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }

const DELIVERY_FIELDS = 'id channel status recipient attempts providerMessageId error updatedAt fallbackChannels events { at status detail }';
const COMMUNICATION_FIELDS = `id customerId templateKey status createdAt scheduledAt deliveries { ${DELIVERY_FIELDS} }
  documents { id kind mimeType pages sizeBytes sha256 createdAt downloadUrl }`;

export const SEND = `mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { ${COMMUNICATION_FIELDS} } }`;
export const GET = `query($id: ID!) { communication(id: $id) { ${COMMUNICATION_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!) { cancelCommunication(id: $id) { ${COMMUNICATION_FIELDS} } }`;
export const RETRY = `mutation($id: ID!) { retryDelivery(id: $id) { ${DELIVERY_FIELDS} } }`;

/** Statuses after which a communication changes no more (until a retry). */
export const SETTLED = new Set(['DELIVERED', 'PARTIALLY_DELIVERED', 'FAILED', 'CANCELLED']);

/** The communication mutations and queries of the public API, over HTTP, as a front-office app calls them. */
export class CommunicationClient {
  constructor(private readonly h: Harness) {}

  /** The raw answer: data or errors. */
  async send(input: Record<string, unknown>): Promise<{ data: CommunicationView | null; errors: GraphqlError[] }> {
    const { body } = await this.h.graphql<{ sendCommunication: CommunicationView }>(SEND, { input });
    return { data: body.data?.sendCommunication ?? null, errors: body.errors ?? [] };
  }

  /** Sends and fails the test with the errors when there are any. */
  async sendOk(input: Record<string, unknown>): Promise<CommunicationView> {
    const { data, errors } = await this.send(input);
    if (!data || errors.length) throw new Error(`sendCommunication: expected a communication, got ${JSON.stringify(errors)}`);
    return data;
  }

  async get(id: string): Promise<CommunicationView | null> {
    const { body } = await this.h.graphql<{ communication: CommunicationView | null }>(GET, { id });
    if (body.errors?.length) throw new Error(`communication(${id}): ${JSON.stringify(body.errors)}`);
    return body.data?.communication ?? null;
  }

  async mutate<T>(query: string, id: string): Promise<{ data: T | null; errors: GraphqlError[] }> {
    const { body } = await this.h.graphql<Record<string, T>>(query, { id });
    const data = body.data ? Object.values(body.data)[0] ?? null : null;
    return { data, errors: body.errors ?? [] };
  }

  /** Polls `communication(id)` until `done` holds; the last view is in the timeout message. */
  async waitFor(id: string, done: (c: CommunicationView) => boolean, timeoutMs = 10_000): Promise<CommunicationView> {
    const deadline = Date.now() + timeoutMs;
    let last: CommunicationView | null = null;
    for (;;) {
      last = await this.get(id);
      if (last && done(last)) return last;
      if (Date.now() > deadline) throw new Error(`communication ${id}: condition not met within ${timeoutMs} ms, last seen ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  settled(id: string, timeoutMs?: number): Promise<CommunicationView> {
    return this.waitFor(id, (c) => SETTLED.has(c.status), timeoutMs);
  }

  /** Size of the whole contact history (all customers), to prove a refused request wrote nothing. */
  async totalCount(customerId?: string): Promise<number> {
    const { body } = await this.h.graphql<{ communications: { totalCount: number } }>(
      'query($c: ID) { communications(customerId: $c, first: 1) { totalCount } }',
      { c: customerId ?? null },
    );
    if (!body.data) throw new Error(`communications: ${JSON.stringify(body.errors)}`);
    return body.data.communications.totalCount;
  }
}

/** The text of a PDF as poppler's pdftotext reads it (what an archive check or a print service sees). */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The statuses of a delivery's timeline, oldest first, after checking that its times never go backwards. */
export function timelineOf(delivery: DeliveryView): string[] {
  const times = delivery.events.map((e) => Date.parse(e.at));
  for (let i = 1; i < times.length; i += 1) {
    if (times[i] < times[i - 1]) throw new Error(`delivery ${delivery.id}: event ${i} at ${delivery.events[i].at} is before ${delivery.events[i - 1].at}`);
  }
  return delivery.events.map((e) => e.status);
}
