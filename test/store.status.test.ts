import { Channel, CommunicationStatus as C, DeliveryStatus as D } from '../src/domain';
import { deriveCommunicationStatus, type DeliveryState } from '../src/store/communication-status';
import { canFallBack, canRetry, canTransition } from '../src/store/delivery-status';

const { EMAIL, LETTER } = Channel;

let next = 0;
function d(status: D, extra: Partial<DeliveryState> = {}): DeliveryState {
  return { id: `d${++next}`, status, previousDeliveryId: null, fallbackChannels: [], ...extra };
}

/** A failed delivery and its fallback successor, in that order. */
function chain(first: D, second: D, rest: Channel[] = []): DeliveryState[] {
  const a = d(first, { fallbackChannels: [EMAIL, ...rest] });
  return [a, d(second, { previousDeliveryId: a.id, fallbackChannels: rest })];
}

describe('deriveCommunicationStatus', () => {
  const cases: [string, C, DeliveryState[], C][] = [
    ['keeps QUEUED while every delivery is PENDING', C.QUEUED, [d(D.PENDING), d(D.PENDING)], C.QUEUED],
    ['keeps SCHEDULED while every delivery is PENDING', C.SCHEDULED, [d(D.PENDING)], C.SCHEDULED],
    ['keeps RENDERING while every delivery is PENDING', C.RENDERING, [d(D.PENDING)], C.RENDERING],
    ['goes back to QUEUED when a retry makes everything PENDING again', C.FAILED, [d(D.PENDING)], C.QUEUED],
    ['RENDERING once a delivery is rendered', C.QUEUED, [d(D.RENDERED), d(D.PENDING)], C.RENDERING],
    ['DELIVERING once a delivery is being sent', C.RENDERING, [d(D.SENDING), d(D.RENDERED)], C.DELIVERING],
    ['DELIVERING while one is done and another still pending', C.RENDERING, [d(D.DELIVERED), d(D.PENDING)], C.DELIVERING],
    ['DELIVERED when all delivered', C.DELIVERING, [d(D.DELIVERED), d(D.DELIVERED)], C.DELIVERED],
    ['SENT counts as delivered (no receipts on that channel)', C.DELIVERING, [d(D.SENT), d(D.DELIVERED)], C.DELIVERED],
    ['PARTIALLY_DELIVERED when some delivered and some failed', C.DELIVERING, [d(D.DELIVERED), d(D.FAILED)], C.PARTIALLY_DELIVERED],
    ['FAILED when none delivered', C.DELIVERING, [d(D.FAILED), d(D.BOUNCED)], C.FAILED],
    ['FAILED when everything was skipped', C.DELIVERING, [d(D.SKIPPED)], C.FAILED],
    ['skipped deliveries do not spoil a success', C.DELIVERING, [d(D.DELIVERED), d(D.SKIPPED)], C.DELIVERED],
    ['CANCELLED when every delivery was cancelled', C.QUEUED, [d(D.CANCELLED), d(D.CANCELLED)], C.CANCELLED],
    ['CANCELLED is sticky', C.CANCELLED, [d(D.DELIVERED)], C.CANCELLED],
    ['a failure with channels left waits for its fallback', C.DELIVERING, [d(D.FAILED, { fallbackChannels: [EMAIL] })], C.DELIVERING],
    ['a bounce with channels left waits for its fallback', C.DELIVERED, [d(D.BOUNCED, { fallbackChannels: [LETTER] })], C.DELIVERING],
    ['a skip with channels left waits for its fallback', C.DELIVERING, [d(D.SKIPPED, { fallbackChannels: [EMAIL] })], C.DELIVERING],
    ['a superseded failure does not count once its fallback is delivered', C.DELIVERING, chain(D.FAILED, D.DELIVERED), C.DELIVERED],
    ['the fallback is still running', C.DELIVERING, chain(D.FAILED, D.PENDING), C.DELIVERING],
    ['only the end of the chain counts as a failure', C.DELIVERING, [...chain(D.FAILED, D.FAILED), d(D.DELIVERED)], C.PARTIALLY_DELIVERED],
    ['a whole failed chain is FAILED', C.DELIVERING, chain(D.BOUNCED, D.FAILED), C.FAILED],
    ['a retried, superseded delivery that is active again keeps it DELIVERING', C.DELIVERED, chain(D.PENDING, D.DELIVERED), C.DELIVERING],
    ['no deliveries: unchanged', C.QUEUED, [], C.QUEUED],
  ];
  it.each(cases)('%s', (_name, current, deliveries, expected) => {
    expect(deriveCommunicationStatus(current, deliveries)).toBe(expected);
  });

  it('does not depend on the order of the deliveries', () => {
    const deliveries = [...chain(D.FAILED, D.FAILED), d(D.DELIVERED)];
    expect(deriveCommunicationStatus(C.DELIVERING, [...deliveries].reverse())).toBe(C.PARTIALLY_DELIVERED);
  });
});

describe('delivery transitions', () => {
  it.each([
    [D.PENDING, D.RENDERED],
    [D.RENDERED, D.SENDING],
    [D.SENDING, D.SENT],
    [D.SENT, D.DELIVERED],
    [D.PENDING, D.SENDING],
    [D.SENDING, D.DELIVERED],
    [D.SENDING, D.SENDING],
    [D.PENDING, D.FAILED],
    [D.RENDERED, D.CANCELLED],
    [D.SENDING, D.SKIPPED],
    [D.SENT, D.FAILED],
    [D.SENT, D.BOUNCED],
    [D.DELIVERED, D.BOUNCED],
  ])('allows %s → %s', (from, to) => expect(canTransition(from, to)).toBe(true));

  it.each([
    [D.RENDERED, D.PENDING],
    [D.SENT, D.SENDING],
    [D.DELIVERED, D.SENT],
    [D.DELIVERED, D.DELIVERED],
    [D.DELIVERED, D.FAILED],
    [D.SENT, D.CANCELLED],
    [D.FAILED, D.PENDING],
    [D.BOUNCED, D.PENDING],
    [D.FAILED, D.DELIVERED],
    [D.CANCELLED, D.SENDING],
    [D.SKIPPED, D.FAILED],
    [D.PENDING, D.BOUNCED],
  ])('refuses %s → %s', (from, to) => expect(canTransition(from, to)).toBe(false));

  it('retries only failed or bounced deliveries', () => {
    expect(Object.values(D).filter(canRetry)).toEqual([D.FAILED, D.BOUNCED]);
  });

  it('falls back only from failed, bounced or skipped deliveries', () => {
    expect(Object.values(D).filter(canFallBack)).toEqual([D.FAILED, D.BOUNCED, D.SKIPPED]);
  });
});
