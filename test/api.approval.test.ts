import { CommunicationClient, type CommunicationView, type GraphqlError } from './support/communication.client';
import { startHarness, type Harness } from './support/gateway.harness';
import { asKey } from './support/keyed.harness';
import { signHs256 } from './support/tokens';

const SECRET = 'approval-test-secret-of-at-least-32-characters';
const portalToken = (customerId: string): string => signHs256({ sub: `portal-${customerId}`, role: 'portal', customerId }, SECRET);

// Principals are named by their key's position: api-key:1 … api-key:5.
const KEYS = ['agent:approval-agent-one', 'agent:approval-agent-two', 'approver:approval-approver', 'admin:approval-admin', 'service:approval-service'];
const [AGENT, AGENT_TWO, APPROVER, ADMIN, SERVICE] = KEYS.map((k) => k.split(':')[1]);

const REVIEWED = 'id status approvedBy approvedAt deliveries { channel status events { status detail } }';
const APPROVE = `mutation($id: ID!, $comment: String) { approveCommunication(id: $id, comment: $comment) { ${REVIEWED} } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectCommunication(id: $id, reason: $reason) { ${REVIEWED} } }`;

interface Reviewed { id: string; status: string; approvedBy: string | null; approvedAt: string | null; deliveries: { channel: string; status: string; events: { status: string; detail: string | null }[] }[] }

describe('four-eyes approval', () => {
  let h: Harness;
  const client = (key: string) => new CommunicationClient(asKey(h, key));
  let customerId: string;
  let contractId: string;

  const review = async (key: string, query: string, variables: Record<string, unknown>): Promise<{ data: Reviewed | null; errors: GraphqlError[] }> => {
    const { body } = await asKey(h, key).graphql<Record<string, Reviewed>>(query, variables);
    return { data: body.data ? Object.values(body.data)[0] ?? null : null, errors: body.errors ?? [] };
  };
  const reminder = (note: string | null, extra: Record<string, unknown> = {}) => ({
    customerId, templateKey: 'payment-reminder', contractId, channelPolicy: 'EXPLICIT', channels: ['EMAIL', 'SMS', 'LETTER'],
    data: { invoiceNumber: 'INV-4EYES', amountDue: { amount: '84.20', currency: 'EUR' }, dueDate: '2026-12-20' },
    ...(note ? { blocks: [{ slot: 'note', text: note }] } : {}),
    ...extra,
  });
  /** Nothing of it was rendered for delivery or reached a provider or the archive. */
  const nothingSent = (c: CommunicationView, note: string) => {
    expect(c.documents).toEqual([]);
    expect(c.deliveries.map((d) => [d.attempts, d.providerMessageId])).toEqual(c.deliveries.map(() => [0, null]));
    expect(h.sms.messages.filter((m) => m.body.includes(note))).toEqual([]);
  };

  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_API_KEYS: KEYS.join(','), AUTH_JWT_SECRET: SECRET } });
    const agent = asKey(h, AGENT);
    for (let n = 1; n <= 40 && !customerId; n++) {
      const id = `C${String(n).padStart(7, '0')}`;
      const { body } = await agent.graphql<{ customer: { email: string | null; phone: string | null; postalAddress: unknown; preferences: { consents: string[] }; contracts: { id: string; status: string }[] } | null }>(
        'query($id: ID!) { customer(id: $id) { email phone postalAddress { city } preferences { consents } contracts { id status } } }', { id });
      const c = body.data?.customer;
      const contract = c?.contracts.find((k) => k.status === 'ACTIVE');
      if (c && contract && c.email && c.phone && c.postalAddress && c.preferences.consents.includes('EMAIL') && c.preferences.consents.includes('SMS')) {
        customerId = id;
        contractId = contract.id;
      }
    }
    if (!customerId) throw new Error('no customer with email, phone, address, consents and an active contract among the first 40');
  });
  afterAll(() => h?.close());

  it('an edited payment reminder waits unrendered until a second person approves it, then goes out', async () => {
    const agent = client(AGENT);
    const { body: preview } = await asKey(h, AGENT).graphql<{ previewCommunication: { approvalRequired: boolean } }>(
      'query($input: SendCommunicationInput!) { previewCommunication(input: $input) { approvalRequired } }', { input: reminder('We spoke today; thank you.') });
    expect(preview.data?.previewCommunication.approvalRequired).toBe(true);
    const { body: plain } = await asKey(h, AGENT).graphql<{ previewCommunication: { approvalRequired: boolean } }>(
      'query($input: SendCommunicationInput!) { previewCommunication(input: $input) { approvalRequired } }', { input: reminder(null) });
    expect(plain.data?.previewCommunication.approvalRequired).toBe(false);

    const sent = await agent.sendOk(reminder('We spoke today; thank you.'));
    expect(sent.status).toBe('AWAITING_APPROVAL');
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = (await agent.get(sent.id))!;
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    expect(waiting.deliveries.map((d) => d.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(waiting.deliveries[0].events.map((e) => e.detail)).toEqual(['chain EMAIL, awaiting approval']);
    nothingSent(waiting, 'We spoke today; thank you.');

    const approved = await review(APPROVER, APPROVE, { id: sent.id, comment: 'Tone and amount checked.' });
    expect(approved.errors).toEqual([]);
    expect(approved.data).toMatchObject({ status: 'QUEUED', approvedBy: 'api-key:3' });
    expect(Date.parse(approved.data!.approvedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const done = await agent.settled(sent.id, 20_000);
    expect(done.status).toBe('DELIVERED');
    expect(done.documents).toHaveLength(1);
    for (const d of done.deliveries) expect(d.events.map((e) => e.detail)).toContain('approved by api-key:3: Tone and amount checked.');
    expect(h.sms.messages.some((m) => m.body.includes('We spoke today; thank you.'))).toBe(true);

    // Approving twice: CONFLICT, the first approval stands.
    const again = await review(ADMIN, APPROVE, { id: sent.id });
    expect(again.errors[0]?.extensions?.code).toBe('CONFLICT');
    expect(again.errors[0]?.message).toMatch(/^approveCommunication: expected a communication AWAITING_APPROVAL, got (QUEUED|RENDERING|DELIVERING|DELIVERED) \(approved by api-key:3\)$/);
    const { body } = await asKey(h, AGENT).graphql<{ communication: { approvedBy: string } }>('query($id: ID!) { communication(id: $id) { approvedBy } }', { id: sent.id });
    expect(body.data?.communication.approvedBy).toBe('api-key:3');
  });

  it('shows an approver what to decide on: the agent\'s text and who asked, never who asked to a portal user', async () => {
    const sent = await client(AGENT).sendOk(reminder('Please call us about the balance.'));
    const ASK = 'query($id: ID!) { communication(id: $id) { blocks { slot text } requestedBy } }';
    const { body } = await asKey(h, APPROVER).graphql<{ communication: { blocks: { slot: string; text: string }[]; requestedBy: string | null } }>(ASK, { id: sent.id });
    expect(body.data?.communication).toEqual({ blocks: [{ slot: 'note', text: 'Please call us about the balance.' }], requestedBy: 'api-key:1' });
    const listed = await asKey(h, APPROVER).graphql<{ communications: { edges: { node: { id: string } }[] } }>('{ communications(status: AWAITING_APPROVAL, first: 50) { edges { node { id } } } }');
    expect(listed.body.data?.communications.edges.map((e) => e.node.id)).toContain(sent.id);
    const portal = await h.graphql<{ communication: { blocks: unknown[]; requestedBy: string | null } | null }>(ASK, { id: sent.id }, { authorization: `Bearer ${portalToken(customerId)}` });
    expect(portal.body.data?.communication).toEqual({ blocks: [{ slot: 'note', text: 'Please call us about the balance.' }], requestedBy: null });
    const withdrawn = await asKey(h, AGENT).graphql('mutation($id: ID!) { cancelCommunication(id: $id) { status } }', { id: sent.id });
    expect(withdrawn.body.errors).toBeUndefined();
  });

  it('previews a waiting communication as it will go out: its reference, the agent\'s text; the SMS sent after approval is that text', async () => {
    const note = 'We agreed on a payment plan today.';
    const sent = await client(AGENT).sendOk(reminder(note));
    const PREVIEW = 'query($id: ID!) { communicationPreview(id: $id) { plan approvalRequired previews { channel subject text pdfPages pdfUrl error } } }';
    type Previewed = { communicationPreview: { plan: string[][]; approvalRequired: boolean; previews: { channel: string; subject: string | null; text: string | null; pdfPages: number | null; pdfUrl: string | null; error: string | null }[] } | null };
    const { body } = await asKey(h, APPROVER).graphql<Previewed>(PREVIEW, { id: sent.id });
    expect(body.errors).toBeUndefined();
    const preview = body.data!.communicationPreview!;
    expect(preview.plan).toEqual([['EMAIL'], ['SMS'], ['LETTER']]);
    expect(preview.approvalRequired).toBe(true);
    const byChannel = (c: string) => preview.previews.find((p) => p.channel === c)!;
    const reference = `CCM-${sent.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase()}`;
    expect(byChannel('SMS').text).toContain(note);
    expect(byChannel('EMAIL').text).toContain(reference);
    expect(byChannel('LETTER').pdfPages).toBeGreaterThanOrEqual(1);
    expect((await fetch(byChannel('LETTER').pdfUrl!)).status).toBe(200);
    // Nothing was written by looking: still waiting, nothing rendered for delivery.
    nothingSent((await client(AGENT).get(sent.id))!, note);

    // Not a portal user's to see; an unknown id is null.
    const portal = await h.graphql<Previewed>(PREVIEW, { id: sent.id }, { authorization: `Bearer ${portalToken(customerId)}` });
    expect(portal.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await asKey(h, APPROVER).graphql<Previewed>(PREVIEW, { id: 'no-such-communication' })).body.data?.communicationPreview).toBeNull();

    expect((await review(APPROVER, APPROVE, { id: sent.id })).errors).toEqual([]);
    const done = await client(AGENT).settled(sent.id, 20_000);
    const sms = h.sms.messages.find((m) => m.sid === done.deliveries.find((d) => d.channel === 'SMS')!.providerMessageId)!;
    expect(sms.body).toBe(byChannel('SMS').text);
  });

  it('without an edited block, the same template goes out at once', async () => {
    const sent = await client(AGENT).sendOk(reminder(null));
    expect(sent.status).not.toBe('AWAITING_APPROVAL');
    const done = await client(AGENT).settled(sent.id, 20_000);
    expect(done.status).toBe('DELIVERED');
  });

  it('refuses the sender, a role without approval, and bad comments or reasons; nothing changes', async () => {
    const byAgent = await client(AGENT).sendOk(reminder('Please call me back.'));
    const byAdmin = await client(ADMIN).sendOk(reminder('Please call me back.'));
    const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
      [AGENT_TWO, APPROVE, { id: byAgent.id }, 'FORBIDDEN', /approveCommunication is not available to agent principals/],
      [SERVICE, REJECT, { id: byAgent.id, reason: 'no' }, 'FORBIDDEN', /rejectCommunication is not available to service principals/],
      [ADMIN, APPROVE, { id: byAdmin.id }, 'FORBIDDEN', /^approveCommunication: the sender of a communication cannot review it/],
      [ADMIN, REJECT, { id: byAdmin.id, reason: 'mine' }, 'FORBIDDEN', /^rejectCommunication: the sender of a communication cannot review it/],
      [APPROVER, REJECT, { id: byAgent.id, reason: '   ' }, 'BAD_USER_INPUT', /^reason: expected some text, got none$/],
      [APPROVER, REJECT, { id: byAgent.id, reason: 'x'.repeat(501) }, 'BAD_USER_INPUT', /^reason: expected at most 500 characters, got 501$/],
      [APPROVER, APPROVE, { id: byAgent.id, comment: 'bell \u0007' }, 'BAD_USER_INPUT', /^comment: expected plain text/],
      [APPROVER, APPROVE, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND', /was not found/],
    ];
    for (const [key, query, variables, code, message] of cases) {
      const { errors, data } = await review(key, query, variables);
      expect({ code: errors[0]?.extensions?.code, data }).toEqual({ code, data: null });
      expect(errors[0]?.message).toMatch(message);
    }
    for (const id of [byAgent.id, byAdmin.id]) {
      const c = (await client(AGENT).get(id))!;
      expect(c.status).toBe('AWAITING_APPROVAL');
      expect(c.deliveries.flatMap((d) => d.events).map((e) => e.detail)).not.toContainEqual(expect.stringMatching(/approved|rejected/));
      nothingSent(c, 'Please call me back.');
    }
    // The admin's own may be approved by someone else.
    expect((await review(APPROVER, APPROVE, { id: byAdmin.id })).data?.status).toBe('QUEUED');
    // A communication that never waited cannot be approved.
    const plain = await client(AGENT).sendOk(reminder(null));
    const notWaiting = await review(APPROVER, APPROVE, { id: plain.id });
    expect(notWaiting.errors[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('a rejection cancels every delivery, records the reason and sends nothing', async () => {
    const sent = await client(AGENT).sendOk(reminder('Fee waived, as promised.'));
    const rejected = await review(APPROVER, REJECT, { id: sent.id, reason: 'We cannot waive this fee.' });
    expect(rejected.errors).toEqual([]);
    expect(rejected.data).toMatchObject({ status: 'REJECTED', approvedBy: null, approvedAt: null });
    expect(rejected.data!.deliveries.map((d) => d.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    for (const d of rejected.data!.deliveries) expect(d.events.at(-1)).toEqual({ status: 'CANCELLED', detail: 'rejected by api-key:3: We cannot waive this fee.' });
    await new Promise((r) => setTimeout(r, 1000));
    const after = (await client(AGENT).get(sent.id))!;
    expect(after.status).toBe('REJECTED');
    nothingSent(after, 'Fee waived, as promised.');
    const late = await review(ADMIN, APPROVE, { id: sent.id });
    expect(late.errors[0]?.extensions?.code).toBe('CONFLICT');
    expect(late.errors[0]?.message).toBe('approveCommunication: expected a communication AWAITING_APPROVAL, got REJECTED');
  });

  it('the sender may withdraw it while it waits', async () => {
    const sent = await client(AGENT).sendOk(reminder('Never mind.'));
    const { errors, data } = await client(AGENT).mutate<{ status: string }>('mutation($id: ID!) { cancelCommunication(id: $id) { status } }', sent.id);
    expect(errors).toEqual([]);
    expect(data?.status).toBe('CANCELLED');
  });
});
