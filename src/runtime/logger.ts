import pino, { type Logger } from 'pino';
import type { Config } from '../config';
import { traceLogFields } from '../telemetry/tracer';

/**
 * JSON logs. Personal data and secrets are redacted by key wherever they
 * appear, as a safety net: code logs ids, not people. A line written inside
 * a trace carries its `traceId` and `spanId` (nothing when tracing is off).
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'ccm-gateway' },
      redact: {
        paths: ['email', 'phone', 'to', 'recipient', 'authorization', 'password', 'token', 'apiKey', '*.email', '*.phone', '*.to', '*.recipient', '*.authorization', '*.password', '*.token', 'headers.authorization', 'headers["x-api-key"]', 'req.headers.authorization', 'req.headers["x-api-key"]'],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
      mixin: traceLogFields,
    },
    destination,
  );
}
