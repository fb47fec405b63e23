import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** ISO-8601 with milliseconds, always UTC on output. */
export const DateTimeScalar = new GraphQLScalarType({ ...DateTimeResolver.toConfig(), name: 'DateTime', description: 'ISO-8601 date-time, e.g. 2026-11-23T09:30:00.000Z' });

export const JSONScalar = new GraphQLScalarType({ ...JSONResolver.toConfig(), name: 'JSON' });
