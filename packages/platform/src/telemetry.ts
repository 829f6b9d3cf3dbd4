import { createServer, type Server } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { metrics, type Meter } from '@opentelemetry/api';
import type { Logger } from 'pino';

export interface Telemetry {
  readonly meter: Meter;
  readonly exporter: PrometheusExporter;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry for one service: W3C trace context propagation (so Kafka
 * headers and gRPC metadata carry traceparent) and Prometheus metrics, served
 * by the ops server at /metrics. Span export is configured by the standard
 * OTEL_* variables when an SRE sets them.
 */
export function startTelemetry(options: { serviceName: string }): Telemetry {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    metricReader: exporter,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
  });
  sdk.start();
  return {
    exporter,
    meter: metrics.getMeter(options.serviceName),
    shutdown: () => sdk.shutdown(),
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
