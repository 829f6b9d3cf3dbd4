import { createServer, type Server } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { metrics, type Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { startTracing } from './tracing-sdk.js';

export interface Telemetry {
  readonly meter: Meter;
  readonly exporter: PrometheusExporter;
  /** Flushes spans (when exported) and stops metrics; the process's one shutdown calls it last. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry for one service: Prometheus metrics, served by the ops server
 * at /metrics, and tracing — started by `node --import @kera/platform/register`
 * before the app (so gRPC metadata, HTTP requests and Kafka headers carry
 * traceparent), or here when a process runs without it (no instrumentations
 * then, but explicit spans and propagation still work). Span export is set by
 * the standard OTEL_* variables only.
 */
export function startTelemetry(options: { serviceName: string }): Telemetry {
  const tracing = startTracing({ serviceName: options.serviceName });
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? options.serviceName }),
    readers: [exporter],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporter,
    meter: metrics.getMeter(options.serviceName),
    shutdown: async () => {
      await meterProvider.shutdown();
      await tracing.shutdown();
    },
  };
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Liveness (/healthz), readiness (/readyz) and metrics (/metrics) for
 * Kubernetes probes and Prometheus.
 */
export async function startOpsServer(options: {
  port: number;
  log: Logger;
  ready: () => boolean;
  exporter?: PrometheusExporter;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = options.ready();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    } else if (path === '/metrics' && options.exporter) {
      options.exporter.getMetricsRequestHandler(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.log.info({ port }, 'ops server listening (/healthz, /readyz, /metrics)');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
