import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedMessage } from '../src/channels/channel';
import type { LetterContent } from '../src/channels/letter/letter.spool';
import { Channel } from '../src/domain';
import { memoryDocuments } from './support/documents';
import { LetterSpoolProvider, type SpoolTicket } from '../src/channels/letter/letter.spool';
import { PortalInboxProvider } from '../src/channels/portal/portal.inbox';

const address = { lines: ['12 rue des Lilas'], postalCode: '69003', city: 'Lyon', country: 'FR' };

const documents = memoryDocuments(2);
let rendering = 0;
const letter = (deliveryId: string, pdf = Buffer.from(`%PDF-1.7\n% letter for ${deliveryId}\n%%EOF\n`)): RenderedMessage<LetterContent> => {
  const documentId = documents.put(`doc-${deliveryId}-${(rendering += 1)}`, pdf);
  return { channel: Channel.LETTER, deliveryId, communicationId: 'comm-1', customerId: 'C0000001', documentId, content: { name: 'Claire Martin', address, documentId } };
};

describe('LetterSpoolProvider', () => {
  let root: string;
  let spoolDir: string;
  let spool: LetterSpoolProvider;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ccm-spool-'));
    spoolDir = join(root, 'print', 'spool');
    spool = new LetterSpoolProvider({ spoolDir, documents });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the PDF and its sidecar, and calls the letter handed over', async () => {
    const message = letter('d-1');
    const result = await spool.send(message);
    expect(result).toEqual({ providerMessageId: 'spool:d-1', final: true, detail: 'spooled for print (2 pages)' });
    expect(readdirSync(spoolDir).sort()).toEqual(['d-1.json', 'd-1.pdf']);
    expect(readFileSync(join(spoolDir, 'd-1.pdf'))).toEqual((await documents.read(message.content.documentId)).bytes);
    const ticket = JSON.parse(readFileSync(join(spoolDir, 'd-1.json'), 'utf8')) as SpoolTicket;
    expect(ticket).toEqual({
      deliveryId: 'd-1',
      communicationId: 'comm-1',
      name: 'Claire Martin',
      address,
      pages: 2,
      sha256: createHash('sha256').update((await documents.read(message.content.documentId)).bytes).digest('hex'),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('spools a delivery once, however often it is sent', async () => {
    await spool.send(letter('d-2'));
    const written = statSync(join(spoolDir, 'd-2.json')).mtimeMs;
    const ticket = readFileSync(join(spoolDir, 'd-2.json'), 'utf8');

    const again = await spool.send(letter('d-2', Buffer.from('%PDF-1.7 a different rendering')));
    expect(again).toMatchObject({ providerMessageId: 'spool:d-2', final: true, detail: expect.stringMatching(/^already spooled at /) });
    expect(readdirSync(spoolDir).sort()).toEqual(['d-2.json', 'd-2.pdf']);
    expect(readFileSync(join(spoolDir, 'd-2.json'), 'utf8')).toBe(ticket);
    expect(statSync(join(spoolDir, 'd-2.json')).mtimeMs).toBe(written);
    expect(readFileSync(join(spoolDir, 'd-2.pdf'), 'utf8')).toContain('letter for d-2');
  });

  it('leaves one job and no temporary files when the same delivery races itself', async () => {
    const results = await Promise.all([spool.send(letter('d-3')), spool.send(letter('d-3')), spool.send(letter('d-3'))]);
    expect(new Set(results.map((r) => r.providerMessageId))).toEqual(new Set(['spool:d-3']));
    expect(readdirSync(spoolDir).sort()).toEqual(['d-3.json', 'd-3.pdf']);
  });

  it('completes a job whose sidecar is missing', async () => {
    await spool.send(letter('d-4'));
    rmSync(join(spoolDir, 'd-4.json'));
    const result = await spool.send(letter('d-4'));
    expect(result.detail).toBe('spooled for print (2 pages)');
    expect(readdirSync(spoolDir).sort()).toEqual(['d-4.json', 'd-4.pdf']);
  });

  it('keeps one job per delivery id', async () => {
    await spool.send(letter('d-5'));
    await spool.send(letter('d-6'));
    expect(readdirSync(spoolDir).sort()).toEqual(['d-5.json', 'd-5.pdf', 'd-6.json', 'd-6.pdf']);
  });

  it('refuses ids that would leave the spool folder, and messages without a letter', async () => {
    await expect(spool.send(letter('../escape'))).rejects.toThrow(/deliveryId: expected letters, digits/);
    const { content: _none, ...bare } = letter('d-7');
    await expect(spool.send(bare as RenderedMessage<LetterContent>)).rejects.toThrow('expected a letter part, got none');
  });

  it('checks that the spool folder is writable', async () => {
    await expect(spool.check()).resolves.toBeUndefined();
    expect(statSync(spoolDir).isDirectory()).toBe(true);
  });
});

describe('PortalInboxProvider', () => {
  it('confirms the archived document at once', async () => {
    const portal = new PortalInboxProvider();
    const result = await portal.send({
      channel: Channel.PORTAL,
      deliveryId: 'd-8',
      communicationId: 'comm-1',
      customerId: 'C0000001',
      documentId: 'doc-42',
      content: { documentId: 'doc-42', notification: 'A new document is available.' },
    });
    expect(result).toEqual({ providerMessageId: 'portal:doc-42', final: true, detail: 'available in the customer portal' });
    await expect(portal.send({ channel: Channel.LETTER, deliveryId: 'd-9', communicationId: 'comm-1', customerId: 'C0000001', documentId: null, content: null as never })).rejects.toThrow(
      'expected a portal part, got none',
    );
  });
});
