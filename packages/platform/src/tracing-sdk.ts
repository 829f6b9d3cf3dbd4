import { createRequire, syncBuiltinESMExports } from 'node:module';
import { ClientRequest, type IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { restorePinnedTraceHeaders } from './kafka/pinned-trace.js';

/**
 * The tracing half of the OpenTelemetry SDK. It must start before the app
 * imports gRPC, HTTP, ioredis or kafkajs, so their instrumentations can wrap
 * them: services load it with `node --import @kera/platform/register`.
 */
export interface Tracing {
  /** Ends and exports what is buffered; later calls wait for the first. */
  shutdown(): Promise<void>;
}

/**
 * Not traced: probes and scrapes (every few seconds, about no job or city
 * record), and streams that live for hours (the console's server-sent events):
 * one span over a whole connection would gather everything done meanwhile.
 */
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const untracedRequest = (req: IncomingMessage): boolean =>
  OPS_PATHS.has((req.url ?? '/').split('?')[0] ?? '/') || (req.headers.accept ?? '').includes('text/event-stream');

/**
 * gRPC methods not traced (client names are camelCase, server names as in the
 * proto): health checks and reflection, and the streams a vehicle or a
 * watcher holds for hours. What arrives on VehicleLink is traced by what it
 * does: an ack or a report joins the trace of its job.
 */
const UNTRACED_GRPC = [/^(check|watch)$/i, /^serverReflectionInfo$/i, /^connect$/i, /^watchJobs$/i];

/**
 * A webhook URL may carry its receiver's token in the query string: spans keep
 * scheme, host and path only, for outgoing and incoming requests alike.
 */
function dropQuery(span: Span, request: ClientRequest | IncomingMessage): void {
  if (request instanceof ClientRequest) {
    const path = request.path.split('?')[0] ?? '/';
    span.setAttributes({ 'http.url': `${request.protocol}//${request.host}${path}`, 'http.target': path });
  } else {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    span.setAttributes({ 'http.url': `http://${request.headers.host ?? 'localhost'}${path}`, 'http.target': path });
  }
}

/** Spans are recorded (ids for logs, context for the next hop) but go nowhere. */
const DROP_SPANS: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Export is configured by the standard variables only. Without them nothing is
 * exported (the SDK's default, OTLP to localhost:4318, would fail quietly on
 * every batch) and nothing is logged about it.
 */
export function traceExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters) return exporters !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** services/<name>/dist/src/main.js → <name>, when OTEL_SERVICE_NAME is not set. */
const serviceNameOfEntry = (): string | undefined => /services\/([^/]+)\//.exec((process.argv[1] ?? '').replaceAll('\\', '/'))?.[1];

let started: Tracing | undefined;

/**
 * Starts tracing once per process (later calls return the first handle):
 * W3C trace context, the gRPC, HTTP, ioredis and kafkajs instrumentations,
 * and the span processors — `spanProcessors` when given (tests), else the
 * exporters the OTEL_* variables name, else none.
 */
export function startTracing(options: { serviceName?: string; spanProcessors?: SpanProcessor[] } = {}): Tracing {
  if (started) return started;
  const processors = options.spanProcessors ?? (traceExportConfigured() ? undefined : [DROP_SPANS]);
  const serviceName = process.env.OTEL_SERVICE_NAME ? undefined : (options.serviceName ?? serviceNameOfEntry());
  const sdk = new NodeSDK({
    ...(serviceName ? { serviceName } : {}),
    ...(processors ? { spanProcessors: processors } : {}),
    // Logs go to stdout as JSON (pino), carrying trace_id; not through OTel.
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: untracedRequest, requestHook: dropQuery }),
      // gRPC metadata carries traceparent both ways.
      new GrpcInstrumentation({ ignoreGrpcMethods: UNTRACED_GRPC }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation({ producerHook: (_span, { message }) => restorePinnedTraceHeaders(message) }),
    ],
  });
  sdk.start();
  let stopping: Promise<void> | undefined;
  started = { shutdown: () => (stopping ??= sdk.shutdown()) };
  return started;
}

/** The CommonJS packages and built-ins the instrumentations patch. */
const INSTRUMENTED = ['@grpc/grpc-js', 'ioredis', 'kafkajs', 'node:http', 'node:https'];

/**
 * Loads what the instrumentations patch, through `require`, right after they
 * are enabled: their require hook patches the shared module objects, and the
 * app's ES module imports, evaluated later, see the patched exports. This
 * replaces an ES module loader hook (import-in-the-middle), which would run
 * off-thread for every module the service loads and cost about 0.7 s of CPU
 * per start; all the patched libraries are CommonJS, so it is not needed.
 */
export function loadInstrumented(): void {
  const require = createRequire(import.meta.url);
  for (const name of INSTRUMENTED) require(name);
  // ES named imports of a built-in (`import { request } from 'node:http'`) see the patched functions too.
  syncBuiltinESMExports();
}
