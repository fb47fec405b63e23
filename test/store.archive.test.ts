import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, ChannelPolicy, Priority } from '../src/domain';
import { openStore, type Store } from '../src/store/data-source';
import { DocumentArchive, type DocumentMeta } from '../src/store/document.archive';

describe('DocumentArchive', () => {
  let dir: string;
  let store: Store;
  let archive: DocumentArchive;
  const options = { signingSecret: 'test-secret', linkTtlSeconds: 600, publicUrl: 'https://gateway.example/' };
  const pdf = Buffer.from('%PDF-1.7\n% a letter\n%%EOF\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccm-archive-'));
    store = await openStore(`sqlite:${join(dir, 'gateway.sqlite')}`);
    archive = new DocumentArchive({ ...options, dir: join(dir, 'documents'), repository: store.communications });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function meta(): Promise<DocumentMeta> {
    const { communication } = await store.communications.create({
      callerId: 'agent-1',
      idempotencyKey: null,
      customerId: 'C0000042',
      contractId: null,
      templateKey: 'invoice',
      channelPolicy: ChannelPolicy.EXPLICIT,
      requestedChannels: [Channel.LETTER],
      data: {},
      priority: Priority.NORMAL,
      scheduledAt: null,
      plans: [{ chain: [Channel.LETTER], recipient: null }],
    });
    return { communicationId: communication.id, customerId: communication.customerId, kind: 'invoice', mimeType: 'application/pdf', pages: 1 };
  }

  /** Every file under the archive folder, relative to it. */
  const files = (): string[] => readdirSync(join(dir, 'documents'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(dir, 'documents').length + 1))
    .sort();

  it('stores the same bytes once and indexes them once per communication', async () => {
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const a = await meta();
    const b = await meta();
    const first = await archive.put(pdf, a);
    const sameCommunication = await archive.put(Buffer.from(pdf), a);
    const other = await archive.put(pdf, b);

    expect(first).toMatchObject({ ...a, sha256, sizeBytes: pdf.length, storageKey: `${sha256.slice(0, 2)}/${sha256}` });
    expect(sameCommunication.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(other.storageKey).toBe(first.storageKey);
    expect(files()).toEqual([`${sha256.slice(0, 2)}/${sha256}`]);

    await archive.put(Buffer.from('another document'), b);
    expect(files()).toHaveLength(2);
    expect((await store.communications.documentsOf([b.communicationId]))[0]).toHaveLength(2);
  });

  it('reads a document back, checking its hash', async () => {
    const stored = await archive.put(Buffer.from('read me back'), await meta());
    const read = await archive.read(stored.id);
    expect(read?.entity).toEqual(stored);
    expect(read?.bytes.toString()).toBe('read me back');

    const opened = await archive.open(stored.id);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('read me back');

    await expect(archive.read('no-such-document')).resolves.toBeNull();
    await expect(archive.open('no-such-document')).resolves.toBeNull();

    writeFileSync(join(dir, 'documents', stored.storageKey), 'tampered');
    await expect(archive.read(stored.id)).rejects.toThrow(`expected content with SHA-256 ${stored.sha256}, got `);
  });

  describe('signed links', () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    const parse = (url: string) => {
      const parsed = new URL(url);
      return { id: decodeURIComponent(parsed.pathname.split('/').at(-1)!), expires: parsed.searchParams.get('expires')!, sig: parsed.searchParams.get('sig')!, parsed };
    };

    it('points at /documents/<id> and is valid until it expires', () => {
      const link = parse(archive.signedUrl('doc-1', now));
      expect(link.parsed.origin + link.parsed.pathname).toBe('https://gateway.example/documents/doc-1');
      expect(Number(link.expires)).toBe(now.getTime() / 1000 + 600);
      expect(link.sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(archive.verify(link.id, link.expires, link.sig, now)).toBe('ok');
      expect(archive.verify(link.id, link.expires, link.sig, new Date(now.getTime() + 599_000))).toBe('ok');
      expect(archive.verify(link.id, link.expires, link.sig, new Date(now.getTime() + 600_000))).toBe('expired');
    });

    it('refuses tampered or foreign links', () => {
      const link = parse(archive.signedUrl('doc-1', now));
      const flipped = (link.sig[0] === 'A' ? 'B' : 'A') + link.sig.slice(1);
      expect(archive.verify(link.id, link.expires, flipped, now)).toBe('invalid');
      expect(archive.verify('doc-2', link.expires, link.sig, now)).toBe('invalid');
      expect(archive.verify(link.id, String(Number(link.expires) + 3600), link.sig, now)).toBe('invalid');
      expect(archive.verify(link.id, link.expires, link.sig.slice(1), now)).toBe('invalid');
      expect(archive.verify(link.id, 'soon', link.sig, now)).toBe('invalid');
      expect(archive.verify(link.id, link.expires, '', now)).toBe('invalid');
      // An expired link with a bad signature is invalid, not expired.
      expect(archive.verify(link.id, link.expires, flipped, new Date(now.getTime() + 3_600_000))).toBe('invalid');

      const otherKey = new DocumentArchive({ ...options, signingSecret: 'another-secret', dir, repository: store.communications });
      expect(otherKey.verify(link.id, link.expires, link.sig, now)).toBe('invalid');
    });

    it('refuses an empty secret or a bad lifetime', () => {
      expect(() => new DocumentArchive({ ...options, signingSecret: '', dir, repository: store.communications })).toThrow(/signingSecret: expected a non-empty secret/);
      expect(() => new DocumentArchive({ ...options, linkTtlSeconds: 0, dir, repository: store.communications })).toThrow(/linkTtlSeconds: expected a positive integer, got 0/);
    });
  });
});
