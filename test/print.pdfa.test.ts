import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { QueueName } from '../src/jobs/queue.names';
import { decodeMarks, pageContents } from './print.marks';
import { CommunicationClient } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';

const invoice = (lines: number) => ({
  invoiceNumber: `INV-A${lines}`,
  amountDue: { amount: '12.00', currency: 'EUR' },
  dueDate: '2027-02-01',
  lines: Array.from({ length: lines }, (_, i) => ({ description: `Line ${i + 1}`, amount: { amount: '1.00', currency: 'EUR' } })),
});

/** DOCUMENT_PDFA=true end to end: archived letters are PDF/A-2b, and print batches take them as they are. */
describe('PDF/A letters through the archive and a print batch', () => {
  let h: Harness;
  let api: CommunicationClient;
  let dir: string;
  const file = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-print-pdfa-'));
    h = await startHarness({ env: { DOCUMENT_PDFA: 'true', PRINT_BATCH_INTERVAL_MS: '86400000' } });
    api = new CommunicationClient(h);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('archives PDF/A-2b letters and prints them in a batch with their own fonts, each under its own name', async () => {
    const { customers, contracts } = h.backoffice.data;
    const chosen = customers.filter((c) => c.address && contracts.some((k) => k.CUST_REF === c.customerId)).slice(0, 3);
    const letters: { deliveryId: string; customerId: string; contractId: string; lines: number; documentUrl: string }[] = [];
    for (const [i, customer] of chosen.entries()) {
      const contractId = contracts.find((k) => k.CUST_REF === customer.customerId)!.CNTR_ID;
      const lines = i === 1 ? 90 : 0;
      const sent = await api.sendOk({ customerId: customer.customerId, templateKey: 'invoice-available', contractId, channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: invoice(lines) });
      const done = await api.waitFor(sent.id, (c) => c.deliveries[0]?.status === 'DELIVERED', 20_000);
      letters.push({ deliveryId: done.deliveries[0].id, customerId: customer.customerId, contractId, lines, documentUrl: done.documents[0].downloadUrl });
    }
    const facts = new Map<string, { name: string; number: string }>();
    for (const letter of letters) {
      const { body } = await h.graphql<{ customer: { displayName: string }; contract: { number: string } }>('query($c: ID!, $k: ID!) { customer(id: $c) { displayName } contract(id: $k) { number } }', { c: letter.customerId, k: letter.contractId });
      facts.set(letter.deliveryId, { name: body.data!.customer.displayName, number: body.data!.contract.number });
    }

    // The archived letter, as the customer downloads it.
    for (const letter of letters) {
      const path = file(`${letter.deliveryId}.pdf`, Buffer.from(await (await fetch(letter.documentUrl)).arrayBuffer()));
      const xmp = execFileSync('pdfinfo', ['-meta', path], { encoding: 'utf8' });
      expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
      expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
      const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' }).trim().split('\n').slice(2);
      expect(fonts.length).toBeGreaterThan(0);
      for (const row of fonts) expect(row).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+$/);
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
      expect(text).toContain(facts.get(letter.deliveryId)!.name);
      expect(text).toContain(facts.get(letter.deliveryId)!.number);
    }

    const { body } = await h.graphql<{ closePrintBatch: { id: string; letters: number; pages: number; pdfUrl: string; entries: { deliveryId: string; pages: number; firstPage: number; sequence: number }[] } }>(
      'mutation { closePrintBatch { id letters pages pdfUrl entries { deliveryId pages firstPage sequence } } }',
    );
    const batch = body.data?.closePrintBatch;
    if (!batch) throw new Error(`closePrintBatch: ${JSON.stringify(body.errors)}`);
    expect(batch.letters).toBe(letters.length);
    const pdf = Buffer.from(await (await fetch(batch.pdfUrl)).arrayBuffer());
    const path = file('batch.pdf', pdf);
    expect(execFileSync('pdfinfo', [path], { encoding: 'utf8' })).toMatch(new RegExp(`Pages:\\s+${batch.pages}\\n`));

    // Each letter brings its font subsets; each copy has a name of its own, and every font the letters use is embedded.
    const rows = execFileSync('pdffonts', [path], { encoding: 'utf8' }).trim().split('\n').slice(2).map((r) => r.split(/\s+/));
    const embedded = rows.filter((r) => r[0].includes('+LiberationSans'));
    expect(embedded.length).toBeGreaterThanOrEqual(letters.length);
    for (const row of embedded) expect(row.slice(-5, -2)).toEqual(['yes', 'yes', 'yes']);
    expect(new Set(embedded.map((r) => r[0])).size).toBe(new Set(embedded.map((r) => r.slice(-2).join(' '))).size);
    expect(rows.filter((r) => !r[0].includes('+LiberationSans')).map((r) => r[0])).toEqual(['Helvetica']); // the marks

    const contents = pageContents(readFileSync(path));
    for (const entry of batch.entries) {
      const letter = letters.find((l) => l.deliveryId === entry.deliveryId)!;
      if (letter.lines === 0) expect(entry.pages).toBe(1);
      else expect(entry.pages).toBeGreaterThan(1);
      for (let i = 1; i <= entry.pages; i += 1) {
        const page = entry.firstPage + i - 1;
        expect(decodeMarks(contents[page - 1])).toEqual([`${entry.deliveryId}:${i}/${entry.pages}`]);
        const text = execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
        expect(text).toContain(`${entry.deliveryId} ${i}/${entry.pages}`);
        if (i === 1) {
          expect(text).toContain(facts.get(entry.deliveryId)!.name);
          expect(text).toContain(facts.get(entry.deliveryId)!.number);
          expect(text).toContain(`INV-A${letter.lines}`);
        }
      }
    }
    expect(batch.entries.some((e) => e.pages > 1)).toBe(true);
  });

  it('schedules the closing every PRINT_BATCH_INTERVAL_MS', async () => {
    const queue = new Queue(QueueName.PRINT, { connection: { url: process.env.TEST_REDIS_URL! }, prefix: h.config.queuePrefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(Number(schedulers[0].every)).toBe(86_400_000);
    } finally {
      await queue.close();
    }
  });
});
