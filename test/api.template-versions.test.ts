import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateCatalog } from '../src/render/template.catalog';
import { TemplateVersions } from '../src/services/template.versions';
import { openStore } from '../src/store/data-source';
import { TemplateVersionRepository } from '../src/store/template-version.repository';
import { CommunicationClient, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { asKey } from './support/keyed.harness';
import { sendBulk, waitForBatch } from './bulk.support';

// mailparser ships no types; this is the part of its API the assertions use.
const { simpleParser } = require('mailparser') as { simpleParser(source: Buffer): Promise<{ text?: string }> };

const KEYS = ['agent:versions-agent', 'admin:versions-admin'];
const PUBLISH = 'mutation($d: JSON!) { publishTemplate(definition: $d) { key version name } }';
const TEMPLATES = '{ templates { key version } }';
const welcomeFile = (): Record<string, any> => JSON.parse(readFileSync(join(__dirname, '..', 'templates', 'welcome.json'), 'utf8'));
/** welcome.json with every language's intro starting with `marker`. */
function welcomeWith(marker: string): Record<string, any> {
  const definition = welcomeFile();
  for (const language of Object.values(definition.languages) as { intro: string }[]) language.intro = `${marker} ${language.intro}`;
  return definition;
}

describe('template versions', () => {
  let h: Harness;
  let agent: CommunicationClient;
  const publish = async (key: string, definition: unknown): Promise<{ data: { key: string; version: number } | null; errors: GraphqlError[] }> => {
    const { body } = await asKey(h, key).graphql<{ publishTemplate: { key: string; version: number } }>(PUBLISH, { d: definition });
    return { data: body.data?.publishTemplate ?? null, errors: body.errors ?? [] };
  };
  const versions = async (): Promise<Record<string, number>> => {
    const { body } = await asKey(h, 'versions-agent').graphql<{ templates: { key: string; version: number }[] }>(TEMPLATES);
    return Object.fromEntries(body.data!.templates.map((t) => [t.key, t.version]));
  };
  const welcomeEmail = async (): Promise<{ id: string; text: string; templateVersion: number }> => {
    const sent = await agent.sendOk({ customerId: 'C0000001', templateKey: 'welcome', channelPolicy: 'EXPLICIT', channels: ['EMAIL'], data: { advisorName: 'Anna' } });
    const done = await agent.settled(sent.id, 20_000);
    const mail = h.smtp.messages.find((m) => m.messageId === done.deliveries[0].providerMessageId)!;
    const { body } = await asKey(h, 'versions-agent').graphql<{ communication: { templateVersion: number } }>('query($id: ID!) { communication(id: $id) { templateVersion } }', { id: sent.id });
    return { id: sent.id, text: (await simpleParser(mail.raw)).text ?? '', templateVersion: body.data!.communication.templateVersion };
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(',') } });
    agent = new CommunicationClient(asKey(h, 'versions-agent'));
  });
  afterAll(() => h?.close());

  it('refuses a definition that does not validate, or a principal other than admin, and writes nothing', async () => {
    const good = welcomeWith('Refused:');
    const broken = welcomeWith('Refused:');
    broken.languages.en.closing = 'Regards, {{data.advisorNmae}}';
    const cases: [string, unknown, string, RegExp][] = [
      ['versions-agent', good, 'FORBIDDEN', /publishTemplate is not available to agent principals/],
      ['versions-admin', [1, 2], 'BAD_USER_INPUT', /^definition: expected a JSON object/],
      ['versions-admin', { ...good, key: 'no-such-template' }, 'BAD_USER_INPUT', /^definition: key: expected one of .*welcome.*, got "no-such-template"$/],
      ['versions-admin', broken, 'BAD_USER_INPUT', /^definition: languages\.en\.closing: data\.advisorNmae reads a field the template does not declare/],
      ['versions-admin', { ...good, channels: ['EMAIL', 'FAX'] }, 'BAD_USER_INPUT', /^definition: channels\[1\]: expected one of/],
      ['versions-admin', { ...good, surprise: true }, 'BAD_USER_INPUT', /^definition: .*surprise/],
    ];
    for (const [key, definition, code, message] of cases) {
      const { data, errors } = await publish(key, definition);
      expect({ data, code: errors[0]?.extensions?.code }).toEqual({ data: null, code });
      expect(errors[0]?.message).toMatch(message);
    }
    expect(await versions()).toEqual({ 'contract-renewal': 1, 'invoice-available': 1, 'payment-reminder': 1, welcome: 1 });
  });

  it('a published version is used by the next send, here and in another process; earlier communications keep theirs', async () => {
    const before = await welcomeEmail();
    expect(before.templateVersion).toBe(1);
    expect(before.text).not.toContain('Second edition:');

    const published = await publish('versions-admin', welcomeWith('Second edition:'));
    expect(published.errors).toEqual([]);
    expect(published.data).toEqual({ key: 'welcome', version: 2, name: welcomeFile().name });
    expect((await versions()).welcome).toBe(2);

    const after = await welcomeEmail();
    expect(after.templateVersion).toBe(2);
    expect(after.text).toContain('Second edition:');
    // The earlier communication still names version 1.
    const { body } = await asKey(h, 'versions-agent').graphql<{ communication: { templateVersion: number } }>('query($id: ID!) { communication(id: $id) { templateVersion } }', { id: before.id });
    expect(body.data!.communication.templateVersion).toBe(1);

    // Another process on the same database: its catalog starts at the files and finds version 2 on its first sync.
    const other = await openStore(h.config.databaseUrl);
    try {
      const catalog = TemplateCatalog.load(join(__dirname, '..', 'templates'));
      expect(catalog.get('welcome')!.version).toBe(1);
      await new TemplateVersions(catalog, new TemplateVersionRepository(other.dataSource)).sync();
      expect(catalog.get('welcome')!.version).toBe(2);
      expect(catalog.get('welcome', 1)!.version).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('two publishes at once never share a number', async () => {
    const results = await Promise.all([publish('versions-admin', welcomeWith('Race A:')), publish('versions-admin', welcomeWith('Race B:'))]);
    const won = results.filter((r) => r.data).map((r) => r.data!.version);
    const lost = results.filter((r) => !r.data).map((r) => r.errors[0]?.extensions?.code);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(new Set(won).size).toBe(won.length);
    expect(lost.every((code) => code === 'CONFLICT')).toBe(true);
    expect((await versions()).welcome).toBe(2 + won.length);
  });

  it('bulk runs use the active version too, and refuse a template that needs approval per communication', async () => {
    const active = (await versions()).welcome;
    const bulkAgent = asKey(h, 'versions-agent');
    const started = await sendBulk(bulkAgent, { templateKey: 'welcome', target: { customerIds: ['C0000001'] }, channelPolicy: 'EXPLICIT', channels: ['PORTAL'], batchKey: 'versions-bulk-1' });
    await waitForBatch(bulkAgent, started.id, (b) => b.status === 'COMPLETED', 30_000);
    const { body } = await bulkAgent.graphql<{ communications: { edges: { node: { templateKey: string; templateVersion: number } }[] } }>(
      'query { communications(customerId: "C0000001", first: 1) { edges { node { templateKey templateVersion } } } }');
    expect(body.data!.communications.edges[0].node).toEqual({ templateKey: 'welcome', templateVersion: active });

    const published = await publish('versions-admin', { ...welcomeWith('Reviewed:'), approvalRequired: true });
    expect(published.errors).toEqual([]);
    const { body: refused } = await bulkAgent.graphql('mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { id } }',
      { input: { templateKey: 'welcome', target: { customerIds: ['C0000001'] }, channelPolicy: 'EXPLICIT', channels: ['PORTAL'], batchKey: 'versions-bulk-2' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toBe('templateKey: template welcome needs approval of each communication; send it with sendCommunication');
  });
});
