import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, isKnownCode } from '../errors';
import { isStoreUnavailable } from '../services/communication.service';

/** Codes Apollo itself uses for malformed requests: safe and useful to pass on. */
const REQUEST_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/**
 * Our codes and Apollo's request codes pass; anything else (a bug, a driver
 * error, an upstream body) becomes "Unexpected error" and is logged with its
 * stack here instead. Stacks never reach clients.
 */
export function createErrorFormatter(logger: ErrorLogger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    // Apollo re-codes validation errors as GRAPHQL_VALIDATION_FAILED; our rules' own code is on the wrapped error.
    const inner = original instanceof GraphQLError && original.originalError instanceof GraphQLError ? original.originalError : null;
    const code = isKnownCode(inner?.extensions.code) ? inner?.extensions.code : formatted.extensions?.code;
    if (isKnownCode(code) && original instanceof GraphQLError) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...withoutStack(formatted.extensions), code } };
    }
    if (typeof code === 'string' && REQUEST_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    if (isStoreUnavailable(original)) {
      // The database went away mid-request: say so (retryable), without its driver message.
      logger.error({ err: original, path: formatted.path }, 'store unavailable during a GraphQL operation');
      return { message: 'The gateway store is unavailable; retry later', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: 'Unexpected error', locations: formatted.locations, path: formatted.path, extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

function withoutStack(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const { stacktrace: _stack, http: _http, ...rest } = extensions ?? {};
  return rest;
}
