import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startHarness, type Harness } from './support/gateway.harness';
import { signHs256 } from './support/tokens';

/** Debian's chromium, installed by `npm run setup` (scripts/setup.sh). */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each step; git-ignored. */
const OUTPUT = join(__dirname, '..', 'test-output', 'console');
const SECRET = 'console-test-secret-of-at-least-32-characters';
const AGENT_KEY = 'agent-key-for-the-console-test';
const ADMIN_KEY = 'admin-key-for-the-console-test';
const APPROVER_KEY = 'approver-key-for-the-console-test';

async function signIn(page: Page, base: string, kind: 'apiKey' | 'token', secret: string): Promise<void> {
  await page.goto(`${base}/console`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#login');
  await page.select('#login-kind', kind);
  await page.type('#login-secret', secret);
  await page.click('#login button[type=submit]');
}

/**
 * A fresh browser context and page for one test: closed afterwards, and the
 * test fails on any uncaught error in the page or a request that failed.
 */
async function inPage(browser: Browser, run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(String(error)));
  page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText}`));
  try {
    await run(page);
    expect(failures).toEqual([]);
  } finally {
    await context.close();
  }
}

const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (el) => el.textContent ?? '');

/** Page count of a PDF as poppler's pdfinfo reads it (a parser of its own, not the renderer's claim). */
function pdfPages(pdf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'ccm-console-pdf-'));
  try {
    const file = join(dir, 'preview.pdf');
    writeFileSync(file, pdf);
    const pages = /^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
    if (!pages) throw new Error('pdfinfo: expected a Pages line');
    return Number(pages[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the console in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    h = await startHarness({ env: { AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `agent:${AGENT_KEY},admin:${ADMIN_KEY},approver:${APPROVER_KEY}` } });
    base = h.url.replace(/\/+$/, '');
    // Root in a container has no user namespace for Chromium's sandbox.
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('serves the page and its modules itself, with a strict CSP and no data without credentials', async () => {
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.match(/\/console\/[\w./-]+\.(js|css)/g) ?? []) expect((await fetch(`${base}${src}`)).status).toBe(200);
    expect((await fetch(`${base}/console/session`)).status).toBe(401);
    expect((await fetch(`${base}/console/queues`, { headers: { 'x-api-key': AGENT_KEY } })).status).toBe(403);
    const queues = (await (await fetch(`${base}/console/queues`, { headers: { 'x-api-key': ADMIN_KEY } })).json()) as { queues: Record<string, unknown> };
    expect(Object.keys(queues.queues)).toContain('render');
  });

  it('an agent signs in, finds a customer, sends an SMS and sees DELIVERED arrive without a reload', async () => {
    await inPage(browser, async (page) => {
      await signIn(page, base, 'apiKey', AGENT_KEY);
      await page.waitForSelector('#search-form');
      await page.type('#search', 'Claire Martin');
      await page.click('#search-form button[type=submit]');
      await page.waitForSelector('a.customer-link[href="#/customer/C0000001"]');
      await page.screenshot({ path: join(OUTPUT, '1-search.png') });
      await page.click('a.customer-link[href="#/customer/C0000001"]');
      await page.waitForSelector('#customer[data-id="C0000001"]');
      expect(await text(page, '#contact')).toContain('claire.martin@example.com');
      expect(await text(page, '#contracts')).toContain('Contracts and products');
      expect(await text(page, '#preferences')).toMatch(/Preferred channel/);
      await page.screenshot({ path: join(OUTPUT, '2-customer.png'), fullPage: true });

      await page.click('#compose-link');
      await page.waitForSelector('#compose');
      await page.select('#template', 'invoice-available');
      await page.select('#contract', 'K00000001');
      await page.select('#policy', 'EXPLICIT');
      // Only SMS: uncheck what the form pre-selected, check SMS.
      await page.$$eval('#channels input[name=channel]', (boxes) => boxes.forEach((b) => {
        const box = b as unknown as { value: string; checked: boolean };
        box.checked = box.value === 'SMS';
      }));
      const data = { invoiceNumber: 'INV-CONSOLE-1', amountDue: { amount: '42.00', currency: 'EUR' }, dueDate: '2026-09-30' };
      if (await page.$('#data-json')) {
        await page.$eval('#data-json', (el, value) => ((el as unknown as { value: string }).value = value), JSON.stringify(data));
      } else {
        await page.type('[name="invoiceNumber"]', data.invoiceNumber);
        await page.type('[name="amountDue.amount"]', data.amountDue.amount);
        await page.type('[name="amountDue.currency"]', data.amountDue.currency);
        await page.type('[name="dueDate"]', data.dueDate);
      }
      await page.screenshot({ path: join(OUTPUT, '3-compose.png'), fullPage: true });
      await page.evaluate('window.notReloaded = true');
      await page.click('#send');
      await page.waitForSelector('#communication');
      const communicationId = await page.$eval('#communication', (el) => el.getAttribute('data-id') ?? '');
      await page.waitForSelector('.delivery[data-channel="SMS"]');
      await page.waitForSelector('.delivery[data-channel="SMS"][data-status="DELIVERED"]', { timeout: 20_000 });
      await page.screenshot({ path: join(OUTPUT, '4-delivered.png'), fullPage: true });
      // The same page: the statuses came over the subscription, not from a reload.
      expect(await page.evaluate('window.notReloaded === true')).toBe(true);
      expect(await text(page, '.delivery[data-channel="SMS"] ol.timeline')).toMatch(/PENDING[\s\S]*RENDERED[\s\S]*SENDING[\s\S]*SENT[\s\S]*DELIVERED/);
      const stored = await h.graphql<{ communication: { deliveries: { channel: string; status: string }[] } }>('query($id: ID!) { communication(id: $id) { deliveries { channel status } } }', { id: communicationId }, { 'x-api-key': AGENT_KEY });
      expect(stored.body.data?.communication.deliveries).toEqual([{ channel: 'SMS', status: 'DELIVERED' }]);
      expect(h.sms.messages.some((m) => m.body.includes('INV-CONSOLE-1'))).toBe(true);
    });
  }, 60_000);

  it('an agent previews a letter: the PDF link with its page count, nothing sent', async () => {
    await inPage(browser, async (page) => {
      const letters = h.sms.messages.length;
      const mails = h.smtp.messages.length;
      await signIn(page, base, 'apiKey', AGENT_KEY);
      await page.waitForSelector('#search-form');
      await page.evaluate('location.hash = "#/compose/C0000001"');
      await page.waitForSelector('#compose');
      await page.select('#template', 'welcome');
      await page.select('#policy', 'EXPLICIT');
      await page.$$eval('#channels input[name=channel]', (boxes) => boxes.forEach((b) => {
        const box = b as unknown as { value: string; checked: boolean };
        box.checked = box.value === 'LETTER';
      }));
      await page.click('#preview');
      await page.waitForSelector('.preview[data-channel="LETTER"] a.pdf-link');
      const shown = await page.$eval('.preview[data-channel="LETTER"] a.pdf-link', (el) => ({ href: (el as unknown as { href: string }).href, pages: el.getAttribute('data-pages'), label: el.textContent ?? '' }));
      expect(await text(page, '#compose-output h2')).toContain('plan LETTER');
      expect(shown.label).toMatch(/^PDF, \d+ page\(s\)$/);
      expect(shown.href).toMatch(/\/previews\/[0-9a-f-]{36}\?expires=\d+&sig=/);
      // The link opens the letter the preview describes: a real PDF with the page count shown.
      const url = new URL(shown.href);
      const pdf = await fetch(`${base}${url.pathname}${url.search}`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const bytes = Buffer.from(await pdf.arrayBuffer());
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdfPages(bytes)).toBe(Number(shown.pages));
      expect(shown.label).toBe(`PDF, ${pdfPages(bytes)} page(s)`);
      await page.screenshot({ path: join(OUTPUT, '3b-preview.png'), fullPage: true });
      // A preview sends nothing and records nothing.
      expect(await page.$('#communication')).toBeNull();
      expect(h.sms.messages.length).toBe(letters);
      expect(h.smtp.messages.length).toBe(mails);
    });
  }, 60_000);

  it('the 360 view shows the preferences and their history after an update through the API, and an agent changes consents with a reason', async () => {
    const customerId = 'C0000003';
    const UPDATE = 'mutation($id: ID!, $input: PreferencesInput!, $reason: String) { updatePreferences(customerId: $id, input: $input, reason: $reason) { preferences { consents paperless source } } }';
    const updated = await h.graphql<{ updatePreferences: { preferences: { consents: string[]; paperless: boolean; source: string } } }>(UPDATE,
      { id: customerId, input: { consents: ['EMAIL'], paperless: true }, reason: 'Asked on the phone for e-mail only' }, { 'x-api-key': AGENT_KEY });
    expect(updated.body.errors).toBeUndefined();
    expect(updated.body.data?.updatePreferences.preferences).toEqual({ consents: ['EMAIL'], paperless: true, source: 'AGENT' });

    await inPage(browser, async (page) => {
      await signIn(page, base, 'apiKey', AGENT_KEY);
      await page.waitForSelector('#search-form');
      await page.evaluate(`location.hash = "#/customer/${customerId}"`);
      await page.waitForSelector(`#customer[data-id="${customerId}"] #preferences`);
      expect(await text(page, '#pref-consents')).toBe('EMAIL');
      expect(await text(page, '#pref-paperless')).toBe('yes');
      expect(await text(page, '#pref-source')).toBe('AGENT');
      expect(await text(page, '#preferences')).toMatch(/Time zone\s*[A-Za-z]+\/[A-Za-z_]+/);
      const history = await text(page, '#preference-history');
      expect(history).toContain('Asked on the phone for e-mail only');
      expect(history).toMatch(/consents/);
      expect(history).toMatch(/paperless\s*false → true/);
      expect(history).toMatch(/api-key:\S+ \(AGENT\)/);
      await page.screenshot({ path: join(OUTPUT, '2b-preferences.png'), fullPage: true });

      // The agent adds SMS from the form, with a reason; the section redraws from the answer, no reload.
      await page.evaluate('window.notReloaded = true');
      await page.click('#preferences-form input[name=consent][value=SMS]');
      await page.click('#pref-edit-paperless');
      expect(await text(page, '#pref-tracking')).toBe('allowed');
      await page.click('#pref-edit-tracking');
      await page.type('#pref-reason', 'Customer wants SMS reminders again');
      await page.click('#pref-save');
      await page.waitForFunction('document.querySelector("#preference-history").textContent.includes("Customer wants SMS reminders again")');
      expect(await text(page, '#pref-consents')).toBe('EMAIL, SMS');
      expect(await text(page, '#pref-paperless')).toBe('no');
      expect(await text(page, '#pref-tracking')).toBe('declined');
      expect(await text(page, '#preference-history')).toMatch(/tracking\s*true → false/);
      expect(await page.evaluate('window.notReloaded === true')).toBe(true);
      const stored = await h.graphql<{ customer: { preferences: { consents: string[]; paperless: boolean; tracking: boolean }; preferenceHistory: { edges: { node: { field: string; reason: string | null } }[] } } }>(
        'query($id: ID!) { customer(id: $id) { preferences { consents paperless tracking } preferenceHistory(first: 10) { edges { node { field reason } } } } }', { id: customerId }, { 'x-api-key': AGENT_KEY });
      expect(stored.body.data?.customer.preferences).toEqual({ consents: ['EMAIL', 'SMS'], paperless: false, tracking: false });
      expect(stored.body.data?.customer.preferenceHistory.edges.slice(0, 3).map((e) => e.node.reason)).toEqual(['Customer wants SMS reminders again', 'Customer wants SMS reminders again', 'Customer wants SMS reminders again']);
      await page.screenshot({ path: join(OUTPUT, '2c-preferences-changed.png'), fullPage: true });
    });
  }, 60_000);

  it('a "portal first, letter if unread" communication shows its deadline, then the customer reading it, live', async () => {
    const customerId = 'C0000001';
    const customer = await h.graphql<{ customer: { contracts: { id: string; status: string }[] } }>('query($id: ID!) { customer(id: $id) { contracts { id status } } }', { id: customerId }, { 'x-api-key': AGENT_KEY });
    const contractId = customer.body.data?.customer.contracts.find((k) => k.status === 'ACTIVE')?.id;
    const sent = await h.graphql<{ sendCommunication: { id: string } }>('mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id } }', {
      input: { customerId, contractId, templateKey: 'invoice-available', channelPolicy: 'EXPLICIT', channels: ['PORTAL'],
        data: { invoiceNumber: 'INV-CONSOLE-ESC', amountDue: { amount: '9.90', currency: 'EUR' }, dueDate: '2027-03-01' }, escalation: { unreadAfterSeconds: 3600, then: ['LETTER'] } },
    }, { 'x-api-key': AGENT_KEY });
    const id = sent.body.data?.sendCommunication.id;
    expect(id).toBeDefined();

    await inPage(browser, async (page) => {
      await signIn(page, base, 'apiKey', AGENT_KEY);
      await page.waitForSelector('#search-form');
      await page.evaluate(`location.hash = "#/communication/${id}"`);
      await page.waitForSelector('.delivery[data-channel="PORTAL"] .escalation[data-state="pending"]', { timeout: 20_000 });
      expect(await text(page, '#escalation')).toBe(' · if unread after 1 h: LETTER');
      expect(await text(page, '.delivery[data-channel="PORTAL"] .escalation')).toMatch(/^Escalates if unread by \S/);
      expect(await page.$('.delivery[data-channel="PORTAL"] .engagement')).toBeNull();

      // The customer reads it in the portal: the page shows it without a reload, and the deadline is gone.
      await page.evaluate('window.notReloaded = true');
      const documents = await h.graphql<{ communication: { documents: { id: string }[] } }>('query($id: ID!) { communication(id: $id) { documents { id } } }', { id }, { 'x-api-key': AGENT_KEY });
      const portal = `Bearer ${signHs256({ sub: `portal-${customerId}`, role: 'portal', customerId }, SECRET)}`;
      const read = await h.graphql('mutation($id: ID!) { markDocumentRead(id: $id) { id } }', { id: documents.body.data?.communication.documents[0].id }, { authorization: portal });
      expect(read.body.errors).toBeUndefined();
      await page.waitForSelector('.delivery[data-channel="PORTAL"][data-status="READ"] .engagement[data-kinds="READ"]', { timeout: 20_000 });
      expect(await text(page, '.delivery[data-channel="PORTAL"] .engagement')).toMatch(/^Customer: read \(portal\) \S/);
      expect(await page.$('.delivery[data-channel="PORTAL"] .escalation')).toBeNull();
      expect(await text(page, '.delivery[data-channel="PORTAL"] ol.timeline')).toContain('read before the escalation deadline: no escalation');
      expect(await page.evaluate('window.notReloaded === true')).toBe(true);
      await page.screenshot({ path: join(OUTPUT, '4b-read-before-escalation.png'), fullPage: true });
    });
  }, 60_000);

  it('an approver sees what an agent wrote, approves one and rejects another with a reason; an agent has no approvals page', async () => {
    const SEND = 'mutation($input: SendCommunicationInput!) { sendCommunication(input: $input) { id status } }';
    const customer = await h.graphql<{ customer: { contracts: { id: string; status: string }[] } }>('query { customer(id: "C0000002") { contracts { id status } } }', {}, { 'x-api-key': AGENT_KEY });
    const contractId = customer.body.data?.customer.contracts[0]?.id;
    const reminder = (note: string) => ({ customerId: 'C0000002', contractId, templateKey: 'payment-reminder', channelPolicy: 'EXPLICIT', channels: ['LETTER'],
      data: { invoiceNumber: `INV-4EYES-${note.length}`, amountDue: { amount: '15.00', currency: 'EUR' }, dueDate: '2027-01-31' }, blocks: [{ slot: 'note', text: note }] });
    const ids: string[] = [];
    for (const note of ['We waive the late fee this once.', 'Your account is closed as of today.']) {
      const sent = await h.graphql<{ sendCommunication: { id: string; status: string } }>(SEND, { input: reminder(note) }, { 'x-api-key': AGENT_KEY });
      expect(sent.body.errors).toBeUndefined();
      expect(sent.body.data?.sendCommunication.status).toBe('AWAITING_APPROVAL');
      ids.push(sent.body.data!.sendCommunication.id);
    }

    await inPage(browser, async (page) => {
      await signIn(page, base, 'apiKey', AGENT_KEY);
      await page.waitForSelector('#search-form');
      expect(await text(page, '#nav')).not.toContain('Approvals');
      await page.evaluate('sessionStorage.clear()');

      await signIn(page, base, 'apiKey', APPROVER_KEY);
      await page.waitForFunction('document.querySelector("#nav").textContent.includes("Approvals")');
      await page.evaluate('location.hash = "#/approvals"');
      await page.waitForSelector(`.approval[data-id="${ids[0]}"]`);
      expect(await text(page, `.approval[data-id="${ids[0]}"] blockquote[data-slot="note"]`)).toBe('note: We waive the late fee this once.');
      expect(await text(page, `.approval[data-id="${ids[0]}"]`)).toMatch(/payment-reminder v1 to C0000002 by api-key:\S+/);
      // The letter as it will go out, before deciding.
      await page.click(`.approval[data-id="${ids[0]}"] button.preview-button`);
      await page.waitForSelector(`.approval[data-id="${ids[0]}"] .preview[data-channel="LETTER"] a`);
      expect(await text(page, `.approval[data-id="${ids[0]}"] .preview[data-channel="LETTER"]`)).toMatch(/PDF, 1 page\(s\)/);
      await page.screenshot({ path: join(OUTPUT, '9-approvals.png'), fullPage: true });

      await page.type(`.approval[data-id="${ids[0]}"] .approval-note`, 'Fee waiver agreed with the branch');
      await page.click(`.approval[data-id="${ids[0]}"] button.approve`);
      await page.waitForSelector(`.approval[data-id="${ids[0]}"][data-decided]`);
      expect(await text(page, `.approval[data-id="${ids[0]}"] .approval-outcome`)).toMatch(/^Approved: now (QUEUED|RENDERING|SENDING|DELIVERED)/);

      // A rejection needs a reason: refused in the page, then given.
      await page.click(`.approval[data-id="${ids[1]}"] button.reject`);
      expect(await text(page, `.approval[data-id="${ids[1]}"] .approval-outcome`)).toBe('A rejection needs a reason.');
      await page.type(`.approval[data-id="${ids[1]}"] .approval-note`, 'Closure letters go through legal');
      await page.click(`.approval[data-id="${ids[1]}"] button.reject`);
      await page.waitForSelector(`.approval[data-id="${ids[1]}"][data-decided="REJECTED"]`);

      const stored = await h.graphql<{ a: { status: string; approvedBy: string | null }; b: { status: string; deliveries: { events: { detail: string | null }[] }[] } }>(
        'query($a: ID!, $b: ID!) { a: communication(id: $a) { status approvedBy } b: communication(id: $b) { status deliveries { events { detail } } } }', { a: ids[0], b: ids[1] }, { 'x-api-key': AGENT_KEY });
      expect(stored.body.data?.a.approvedBy).toMatch(/^api-key:/);
      expect(stored.body.data?.a.status).not.toBe('AWAITING_APPROVAL');
      expect(stored.body.data?.b.status).toBe('REJECTED');
      expect(stored.body.data?.b.deliveries[0].events.map((e) => e.detail)).toContainEqual(expect.stringMatching(/^rejected by api-key:\S+: Closure letters go through legal$/));
    });
  }, 60_000);

  it('a portal user sees their own view and cannot open another customer', async () => {
    await inPage(browser, async (page) => {
      const RECORD = 'mutation($input: RecordInteractionInput!) { recordInteraction(input: $input) { id } }';
      for (const input of [
        { customerId: 'C0000001', channel: 'PHONE', reason: 'Asked about the invoice', summary: 'Explained the due date', agentId: 'desk-7' },
        { customerId: 'C0000001', channel: 'PHONE', reason: 'Staff only: goodwill gesture considered', internal: true },
      ]) expect((await h.graphql(RECORD, { input }, { 'x-api-key': AGENT_KEY })).body.errors).toBeUndefined();
      await signIn(page, base, 'token', signHs256({ sub: 'portal-user-1', role: 'portal', customerId: 'C0000001' }, SECRET));
      await page.waitForSelector('#customer[data-id="C0000001"]');
      expect(await page.$('#compose-link')).toBeNull();
      // Their contact history: the SMS the agent sent and the call, not the staff note; no preference form.
      const history = await text(page, '#contact-history');
      expect(history).toContain('invoice-available');
      expect(await page.$('#contact-history .interaction[data-channel="PHONE"]')).not.toBeNull();
      expect(history).toContain('Asked about the invoice');
      expect(history).not.toContain('goodwill');
      expect(await page.$('#preferences-form')).toBeNull();
      expect(await text(page, '#nav')).not.toContain('Customers');
      await page.screenshot({ path: join(OUTPUT, '5-portal-own.png'), fullPage: true });
      await page.evaluate('location.hash = "#/customer/C0000002"');
      await page.waitForSelector('#customer-missing');
      expect(await text(page, '#customer-missing')).toContain('Customer not found');
      expect(await page.$('#customer')).toBeNull();
      await page.screenshot({ path: join(OUTPUT, '6-portal-other.png') });
      // The search page is not for portal users either.
      await page.evaluate('location.hash = "#/customers"');
      await page.waitForFunction('document.querySelector("#main").textContent.includes("not available to you")');
    });
  }, 60_000);

  it('an operator sees queue depths, delivery figures and print batches', async () => {
    await inPage(browser, async (page) => {
      // Two bulk runs, scheduled an hour ahead (nothing is sent in this test); one cancelled.
      const SEND_BULK = 'mutation($input: SendBulkCommunicationInput!) { sendBulkCommunication(input: $input) { id } }';
      const runs: string[] = [];
      for (const batchKey of ['console-welcome-1', 'console-welcome-2']) {
        const input = { templateKey: 'welcome', target: { customerIds: ['C0000001', 'C0000002', 'C0000003'] }, channelPolicy: 'EXPLICIT', channels: ['EMAIL'], batchKey, scheduledAt: new Date(Date.now() + 3600_000).toISOString() };
        const sent = await h.graphql<{ sendBulkCommunication: { id: string } }>(SEND_BULK, { input }, { 'x-api-key': ADMIN_KEY });
        runs.push(sent.body.data!.sendBulkCommunication.id);
      }
      const cancelled = await h.graphql<{ cancelBatch: { status: string } }>('mutation($id: ID!) { cancelBatch(id: $id) { status } }', { id: runs[0] }, { 'x-api-key': ADMIN_KEY });
      expect(cancelled.body.data?.cancelBatch.status).toBe('CANCELLED');

      await signIn(page, base, 'apiKey', ADMIN_KEY);
      await page.waitForSelector('#search-form');
      await page.evaluate('location.hash = "#/operations"');
      await page.waitForSelector('#operations #queues table');
      expect(await text(page, '#queues')).toContain('deliver-sms');
      // The SMS of the agent's test is counted.
      expect(await text(page, '#kpis')).toMatch(/SMS\s*DELIVERED\s*1/);
      // Engagement: the portal document read in the escalation test (100 % read on PORTAL, no escalation), the SMS unread.
      const channelRows = await page.$$eval('#kpi-channels tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      const portalRow = channelRows.find((cells) => cells[0] === 'PORTAL');
      expect(portalRow?.slice(0, 5)).toEqual(['PORTAL', '1', '1', '1', '100 %']);
      expect(portalRow?.[7]).toBe('0');
      expect(channelRows.find((cells) => cells[0] === 'SMS')?.slice(3, 5)).toEqual(['0', '0 %']);
      expect(await text(page, '#kpi-templates')).toContain('invoice-available');
      expect(await text(page, '#print-batches')).toContain('Print batches');
      // Recent batches, newest first, from the batches query.
      expect(await page.$$eval('#batch-list tr.batch-row', (trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([runs[1], runs[0]]);
      expect(await text(page, '#batch-list')).toMatch(/console-welcome-2 \(run 1\)\s*welcome\s*(EXPANDING|RUNNING)\s*\d+\/\d+ settled/);
      expect(await text(page, '#batch-list-info')).toBe('2 of 2 shown');
      await page.screenshot({ path: join(OUTPUT, '7-operations.png'), fullPage: true });
      await page.select('#batch-status', 'CANCELLED');
      await page.waitForFunction('document.querySelectorAll("#batch-list tr.batch-row").length === 1');
      expect(await page.$eval('#batch-list tr.batch-row', (tr) => tr.getAttribute('data-status'))).toBe('CANCELLED');
      await page.click('#batch-list tr.batch-row button.watch-batch');
      await page.waitForFunction('document.querySelector("#batch").textContent.includes("console-welcome-1 run 1")');
      expect(await text(page, '#batch')).toMatch(/CANCELLED\s*3/);
      await page.screenshot({ path: join(OUTPUT, '8-operations-batch.png'), fullPage: true });
    });
  }, 60_000);
});
