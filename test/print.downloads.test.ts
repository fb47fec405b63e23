import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { PrintBatchLinks } from '../src/print/print-batch.links';
import { QueueName } from '../src/jobs/queue.names';
import { DocumentArchive } from '../src/store/document.archive';
import type { CommunicationRepository } from '../src/store/communication.repository';
import { GET, SEND, type CommunicationView, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

const AGENT = { 'x-api-key': 'agent-key-0123456789abcdef' };
const SERVICE = { 'x-api-key': 'service-key-0123456789abcdef' };
const BATCH_FIELDS = 'id duplex letters pages sheets grams sha256 pdfUrl manifestCsvUrl manifestJsonUrl entries(first: 100) { sequence deliveryId customerId pages sheets grams postalZone country }';
interface BatchView {
  id: string; duplex: boolean; letters: number; pages: number; sheets: number; grams: number; sha256: string;
  pdfUrl: string; manifestCsvUrl: string; manifestJsonUrl: string;
  entries: { sequence: number; deliveryId: string; customerId: string; pages: number; sheets: number; grams: number; postalZone: string; country: string }[];
}
const invoice = { invoiceNumber: 'INV-77', amountDue: { amount: '12.00', currency: 'EUR' }, dueDate: '2027-02-01', lines: [] };
const codeOf = (errors: GraphqlError[] | undefined): unknown => errors?.[0]?.extensions?.code;

/**
 * The print room's pick-up: signed, expiring links on PrintBatch, served over
 * HTTP as streams; and the PRINT_* settings reaching the closing (duplex,
 * postage planning, schedule).
 */
describe('print batch downloads and print settings', () => {
  let h: Harness;
  let dir: string;
  let batch: BatchView;

  const ask = async <T>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = AGENT) => (await h.graphql<T>(query, variables, headers)).body;
  const sendLetter = async (customerId: string, contractId: string): Promise<void> => {
    const sent = await ask<{ sendCommunication: CommunicationView }>(SEND, { input: { customerId, contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: invoice } });
    const id = sent.data?.sendCommunication.id;
    if (!id) throw new Error(`sendCommunication: ${JSON.stringify(sent.errors)}`);
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const seen = await ask<{ communication: CommunicationView }>(GET, { id });
      if (seen.data?.communication.deliveries[0]?.status === 'DELIVERED') return;
    }
    throw new Error(`letter of ${customerId} not spooled within 20 s`);
  };
  const file = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-print-dl-'));
    h = await startHarness({
      env: {
        AUTH_API_KEYS: `agent:${AGENT['x-api-key']},service:${SERVICE['x-api-key']}`,
        RATE_LIMIT_PER_MINUTE: '0',
        PRINT_BATCH_INTERVAL_MS: '0',
        PRINT_DUPLEX: 'false',
        PRINT_HOME_COUNTRY: 'de',
        PRINT_SHEET_GRAMS: '6',
        PRINT_ENVELOPE_GRAMS: '4',
      },
    });
    // One letter to Germany (the configured home country), one to France, one to the UK.
    const { customers, contracts } = h.backoffice.data;
    for (const country of ['DE', 'FR', 'GB']) {
      const customer = customers.find((c) => c.address?.countryCode === country && contracts.some((k) => k.CUST_REF === c.customerId));
      if (!customer) throw new Error(`expected a customer in ${country} with a contract in the simulated back-office`);
      await sendLetter(customer.customerId, contracts.find((k) => k.CUST_REF === customer.customerId)!.CNTR_ID);
    }
    const closed = await ask<{ closePrintBatch: BatchView | null }>(`mutation { closePrintBatch { ${BATCH_FIELDS} } }`);
    if (!closed.data?.closePrintBatch) throw new Error(`closePrintBatch: ${JSON.stringify(closed.errors)}`);
    batch = closed.data.closePrintBatch;
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes with PRINT_DUPLEX, PRINT_HOME_COUNTRY and the PRINT_*_GRAMS postage figures, and no schedule with PRINT_BATCH_INTERVAL_MS=0', async () => {
    expect(batch).toMatchObject({ duplex: false, letters: 3 });
    for (const entry of batch.entries) {
      expect(entry.sheets).toBe(entry.pages);
      expect(entry.grams).toBe(entry.sheets * 6 + 4);
      expect(entry.postalZone).toBe({ DE: 'DOMESTIC', FR: 'EUROPE', GB: 'EUROPE' }[entry.country]);
    }
    const queue = new Queue(QueueName.PRINT, { connection: { url: process.env.TEST_REDIS_URL! }, prefix: h.config.queuePrefix });
    try {
      expect(await queue.getJobSchedulers()).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  it('serves the PDF and both manifests over their signed links, streamed with their type and a file name', async () => {
    const pdf = await fetch(batch.pdfUrl);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="print-batch-${batch.id}.pdf"`);
    expect(pdf.headers.get('etag')).toBe(`"${batch.sha256}"`);
    const pdfBytes = Buffer.from(await pdf.arrayBuffer());
    expect(Number(pdf.headers.get('content-length'))).toBe(pdfBytes.length);
    expect(createHash('sha256').update(pdfBytes).digest('hex')).toBe(batch.sha256);
    expect(execFileSync('pdfinfo', [file('batch.pdf', pdfBytes)], { encoding: 'utf8' })).toMatch(new RegExp(`Pages:\\s+${batch.pages}\\n`));

    const csv = await fetch(batch.manifestCsvUrl);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="print-batch-${batch.id}-manifest.csv"`);
    const [header, ...rows] = (await csv.text()).trim().split('\r\n');
    const columns = header.split(',');
    const at = (row: string, column: string): string => row.split(',')[columns.indexOf(column)];
    expect(rows).toHaveLength(batch.letters);
    expect(rows.map((r) => [Number(at(r, 'sequence')), at(r, 'deliveryId'), at(r, 'customerId'), Number(at(r, 'grams')), at(r, 'postalZone')])).toEqual(
      batch.entries.map((e) => [e.sequence, e.deliveryId, e.customerId, e.grams, e.postalZone]),
    );

    const json = await fetch(batch.manifestJsonUrl);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const manifest = (await json.json()) as { printBatchId: string; duplex: boolean; pdf: { sha256: string; pages: number }; letters: { deliveryId: string }[] };
    expect(manifest).toMatchObject({ printBatchId: batch.id, duplex: false, pdf: { sha256: batch.sha256, pages: batch.pages } });
    expect(manifest.letters.map((l) => l.deliveryId)).toEqual(batch.entries.map((e) => e.deliveryId));

    // The links need no other credentials, and a fresh query gives fresh links.
    const { data } = await ask<{ printBatch: { pdfUrl: string } }>('query($id: ID!) { printBatch(id: $id) { pdfUrl } }', { id: batch.id });
    expect((await fetch(data!.printBatch.pdfUrl)).status).toBe(200);
  });

  it('answers 403 to a tampered, expired, unsigned or swapped link, 404 to an unknown batch or file', async () => {
    const tamper = (url: string, key: string, value: (v: string) => string): string => {
      const u = new URL(url);
      u.searchParams.set(key, value(u.searchParams.get(key) ?? ''));
      return u.toString();
    };
    const statusOf = async (url: string): Promise<[number, string]> => {
      const response = await fetch(url);
      return [response.status, ((await response.json()) as { error: string }).error];
    };
    expect(await statusOf(tamper(batch.pdfUrl, 'sig', (s) => `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`))).toEqual([403, 'FORBIDDEN']);
    expect(await statusOf(tamper(batch.pdfUrl, 'expires', (e) => String(Number(e) + 3600)))).toEqual([403, 'FORBIDDEN']);
    const unsigned = new URL(batch.pdfUrl);
    unsigned.search = '';
    expect(await statusOf(unsigned.toString())).toEqual([403, 'FORBIDDEN']);
    // The signature names the file: the PDF's signature does not open the manifest, nor another batch.
    expect(await statusOf(batch.pdfUrl.replace('/batch.pdf?', '/manifest.csv?'))).toEqual([403, 'FORBIDDEN']);
    expect(await statusOf(batch.pdfUrl.replace(batch.id, randomUUID()))).toEqual([403, 'FORBIDDEN']);
    // Nor does it open an archived document of the same name.
    expect((await fetch(`${h.url}/documents/${encodeURIComponent(`print-batch/${batch.id}/batch.pdf`)}${new URL(batch.pdfUrl).search}`)).status).toBe(404);

    // Links signed with the gateway's own key: expired, and for a batch that does not exist.
    const links = new PrintBatchLinks(
      new DocumentArchive({ dir, signingSecret: h.config.documentSigningSecret, linkTtlSeconds: h.config.documentLinkTtlSeconds, publicUrl: h.url, repository: {} as CommunicationRepository }),
      h.url,
    );
    const expired = await fetch(links.url(batch.id, 'batch.pdf', new Date(Date.now() - 2 * h.config.documentLinkTtlSeconds * 1000)));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { message: string }).message).toBe('this link has expired');
    expect(await statusOf(links.url(randomUUID(), 'manifest.json'))).toEqual([404, 'NOT_FOUND']);
    expect(await statusOf(`${h.url}/print-batches/${batch.id}/letters.zip${new URL(batch.pdfUrl).search}`)).toEqual([404, 'NOT_FOUND']);
  });

  it('gives the links only to roles that run the print room', async () => {
    const asService = await ask<{ printBatch: { id: string } | null }>('query($id: ID!) { printBatch(id: $id) { id pdfUrl } }', { id: batch.id }, SERVICE);
    expect(codeOf(asService.errors)).toBe('FORBIDDEN');
    expect(asService.data?.printBatch ?? null).toBeNull();
    const anonymous = await h.graphql('query($id: ID!) { printBatch(id: $id) { pdfUrl } }', { id: batch.id });
    expect(codeOf(anonymous.body.errors)).toBe('UNAUTHENTICATED');
  });
});
