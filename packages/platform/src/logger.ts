import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Secrets and personal data never reach the log. */
const redact = [
  'token',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'AUTH_SIGNING_KEY',
  '*.AUTH_SIGNING_KEY',
  'signingKey',
  '*.signingKey',
];

/** `destination` defaults to stdout; tests pass a stream to read what would be logged. */
export function createLogger(options: { name: string; level?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: redact, censor: '[redacted]' },
      base: { service: options.name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Every line logged inside a span names it, so logs and traces join on trace_id.
      mixin: traceFields,
    },
    options.destination,
  );
}

/** trace_id and span_id of the active span (none outside one). */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
