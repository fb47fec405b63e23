import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AppError, ErrorCode } from '../src/errors';
import { isStoreUnavailable } from '../src/services/communication.service';

/** What decides between SERVICE_UNAVAILABLE (retry) and INTERNAL_SERVER_ERROR (a bug) for a store failure. */
describe('isStoreUnavailable', () => {
  it.each([
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['node-postgres losing the server', new Error('Connection terminated unexpectedly')],
    ['PostgreSQL shutting down (57P01)', new QueryFailedError('INSERT …', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))],
    ['a rollback after the connection died', new QueryRunnerAlreadyReleasedError()],
    ["a transaction's next query after the connection died", new QueryRunnerProviderAlreadyReleasedError()],
  ])('%s is worth a retry', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT …', [], Object.assign(new Error('duplicate key value'), { code: '23505' }))],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['an answer the gateway chose', new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'Connection terminated')],
    ['not an error at all', 'Connection terminated'],
  ])('%s is not', (_name, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});
