import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { traceExportConfigured } from './tracing-sdk.js';

describe('trace export configuration', () => {
  it('exports only when the standard OTEL_* variables ask for it', () => {
    assert.equal(traceExportConfigured({}), false, 'nothing set: nothing exported (not OTLP to localhost)');
    assert.equal(traceExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
    assert.equal(traceExportConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
    assert.equal(traceExportConfigured({ OTEL_TRACES_EXPORTER: 'console' }), true);
    assert.equal(traceExportConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), false, 'none wins');
    assert.equal(traceExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }), false);
  });
});
