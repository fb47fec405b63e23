import { decodeSnapshot, encodeSnapshot, type RenderSnapshot } from '../src/render/render-snapshot';

describe('render snapshot', () => {
  const snapshot: RenderSnapshot = {
    templateKey: 'welcome',
    templateVersion: 3,
    ctx: {
      customer: { id: 'C0000001', displayName: 'Claire Martin', language: 'fr', attributes: { birthDate: new Date('1980-02-29T00:00:00.000Z'), tags: ['a', { $date: 1 }] } } as never,
      contract: { id: 'K1', number: 'HC-1', startDate: new Date('2020-01-01T00:00:00.000Z'), endDate: null, monthlyAmount: { amount: '12.30', currency: 'EUR' } } as never,
      product: null,
      data: { dueDate: '2026-12-20', lines: [{ amount: { amount: '1.00', currency: 'EUR' } }] },
      communicationId: 'id-1',
      reference: 'CCM-ID1',
      date: new Date('2026-05-04T09:00:00.123Z'),
      sender: { name: 'Sender', addressLines: ['1 Rue'], returnLine: 'Sender · 1 Rue' },
      blocks: { note: 'Hello' },
    },
  };

  it('gives back what it was given, dates as Dates', () => {
    const back = decodeSnapshot(encodeSnapshot(snapshot));
    expect(back).toEqual(snapshot);
    expect(back.ctx.date).toBeInstanceOf(Date);
    expect((back.ctx.contract as unknown as { startDate: Date }).startDate).toBeInstanceOf(Date);
    // An object that merely has a $date key among others, or a non-string one, stays an object.
    expect((back.ctx.customer.attributes as { tags: unknown[] }).tags[1]).toEqual({ $date: 1 });
  });

  it('refuses another format', () => {
    expect(() => decodeSnapshot(JSON.stringify({ format: 2 }))).toThrow('render snapshot: expected format 1, got 2');
  });
});
