import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { createLogger } from './logger.js';
import { startTelemetry } from './telemetry.js';

describe('JSON logs and traces', () => {
  it('carry trace_id and span_id of the active span, and none outside a span', async () => {
    // The SDK as services start it: it installs the context manager that carries the active span.
    const telemetry = startTelemetry({ serviceName: 'trace-test' });
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
    const log = createLogger({ name: 'trace-test', destination });
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpanContext(context.active(), spanContext), () => log.info('inside'));
    log.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(inside!.trace_id, spanContext.traceId);
    assert.equal(inside!.span_id, spanContext.spanId);
    assert.equal(outside!.trace_id, undefined);
    await telemetry.shutdown();
  });
});
