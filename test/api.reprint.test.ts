import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/store/data-source';
import { CommunicationClient, pdfText, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { asKey } from './support/keyed.harness';

const KEYS = ['agent:reprint-agent', 'admin:reprint-admin'];
const REPRINT = 'mutation($id: ID!) { reprintDocument(id: $id) { id kind mimeType pages sizeBytes sha256 createdAt downloadUrl } }';
interface DocView { id: string; kind: string; mimeType: string; pages: number | null; sizeBytes: number; sha256: string; createdAt: string; downloadUrl: string }

const welcomeWith = (marker: string): Record<string, any> => {
  const definition = JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'welcome.json'), 'utf8'));
  for (const language of Object.values(definition.languages) as { intro: string; blocks: { kind: string; text?: string }[] }[]) {
    language.intro = `${marker} ${language.intro}`;
    language.blocks.unshift({ kind: 'paragraph', text: `${marker} This letter is from the second edition.` });
  }
  return definition;
};

describe('reprintDocument', () => {
  let h: Harness;
  let agent: CommunicationClient;
  const gql = <T>(key: string, query: string, variables: Record<string, unknown>) => asKey(h, key).graphql<T>(query, variables);
  const download = async (url: string): Promise<Buffer> => {
    const u = new URL(url);
    const response = await fetch(`${h.url}${u.pathname}${u.search}`);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  const reprint = async (id: string): Promise<{ data: DocView | null; errors: GraphqlError[] }> => {
    const { body } = await gql<{ reprintDocument: DocView }>('reprint-agent', REPRINT, { id });
    return { data: body.data?.reprintDocument ?? null, errors: body.errors ?? [] };
  };
  /** A welcome letter, delivered and archived: its document. */
  const welcomeLetter = async (): Promise<DocView> => {
    const sent = await agent.sendOk({ customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: { advisorName: 'Anna', advisorPhone: '+33 1 23 45 67 89' } });
    const done = await agent.settled(sent.id, 20_000);
    expect(done.documents).toHaveLength(1);
    return done.documents[0] as DocView;
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(',') } });
    agent = new CommunicationClient(asKey(h, 'reprint-agent'));
  });
  afterAll(() => h?.close());

  it('reprints the archived letter byte for byte, and still gives version 1 after version 2 is published', async () => {
    const v1 = await welcomeLetter();
    const archived = await download(v1.downloadUrl);
    const first = await reprint(v1.id);
    expect(first.errors).toEqual([]);
    expect(first.data).toMatchObject({ id: v1.id, kind: 'welcome', mimeType: 'application/pdf', pages: v1.pages, sizeBytes: v1.sizeBytes, sha256: v1.sha256, createdAt: v1.createdAt });
    expect(first.data!.downloadUrl).toMatch(/\/previews\/[0-9a-f-]{36}\?expires=\d+&sig=/);
    const reprinted = await download(first.data!.downloadUrl);
    expect(reprinted.equals(archived)).toBe(true);

    const { body } = await gql<{ publishTemplate: { version: number } }>('reprint-admin', 'mutation($d: JSON!) { publishTemplate(definition: $d) { version } }', { d: welcomeWith('Second edition:') });
    expect(body.data?.publishTemplate.version).toBe(2);
    const v2 = await welcomeLetter();
    expect(pdfText(await download(v2.downloadUrl))).toContain('Second edition:');

    const again = await reprint(v1.id);
    expect(again.data?.sha256).toBe(v1.sha256);
    const text = pdfText(await download(again.data!.downloadUrl));
    expect(text).not.toContain('Second edition:');
    expect(text).toBe(pdfText(archived));
    const v2Reprint = await reprint(v2.id);
    expect(v2Reprint.data?.sha256).toBe(v2.sha256);
  });

  it('refuses an unknown document and a document whose snapshot is gone; writes nothing', async () => {
    const unknown = await reprint('00000000-0000-4000-8000-000000000000');
    expect(unknown.errors[0]?.extensions?.code).toBe('NOT_FOUND');

    const doc = await welcomeLetter();
    // The snapshot purged (or never kept, for a document archived before snapshots).
    const store = await openStore(h.config.databaseUrl);
    try {
      await store.dataSource.query('UPDATE "document" SET "snapshot" = NULL WHERE "id" = ?', [doc.id]);
    } finally {
      await store.close();
    }
    const { body: before } = await gql<{ communications: { totalCount: number } }>('reprint-agent', 'query { communications(first: 1) { totalCount } }', {});
    const purged = await reprint(doc.id);
    expect(purged.data).toBeNull();
    expect(purged.errors[0]?.extensions?.code).toBe('CONFLICT');
    expect(purged.errors[0]?.message).toMatch(/^reprintDocument: document .* has no render snapshot/);
    const { body: after } = await gql<{ communications: { totalCount: number } }>('reprint-agent', 'query { communications(first: 1) { totalCount } }', {});
    expect(after).toEqual(before);
    // The archived file itself is still there.
    expect((await download(doc.downloadUrl)).length).toBe(doc.sizeBytes);
  });
});

describe('reprintDocument with PDF/A letters', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(','), DOCUMENT_PDFA: 'true' } });
  });
  afterAll(() => h?.close());

  it('gives the archived PDF/A bytes again (embedded font subsets, XMP and all)', async () => {
    const agent = new CommunicationClient(asKey(h, 'reprint-agent'));
    const sent = await agent.sendOk({ customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['LETTER'], data: { advisorName: 'Anna' } });
    const done = await agent.settled(sent.id, 20_000);
    const doc = done.documents[0];
    const fetchBytes = async (url: string) => {
      const u = new URL(url);
      return Buffer.from(await (await fetch(`${h.url}${u.pathname}${u.search}`)).arrayBuffer());
    };
    const archived = await fetchBytes(doc.downloadUrl);
    expect(archived.toString('latin1')).toContain('pdfaid:part');
    const { body } = await asKey(h, 'reprint-agent').graphql<{ reprintDocument: DocView }>(REPRINT, { id: doc.id });
    expect(body.data?.reprintDocument.sha256).toBe(doc.sha256);
    expect((await fetchBytes(body.data!.reprintDocument.downloadUrl)).equals(archived)).toBe(true);
  });
});
