import { suppressTracing } from '@opentelemetry/core';
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type SpanKind } from '@opentelemetry/api';

/**
 * Spans where context crosses a store (an outbox entry, a queue job, a
 * coalesced weight swap): the work keeps the W3C `traceparent` of the request
 * that caused it, and whoever picks it up later continues that trace.
 */
const tracer = () => trace.getTracer('kera');

/** The active context as a `traceparent` string, to store with work done later; undefined outside a trace. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a stored `traceparent` names (the root context when there is none). */
export function traceContextOf(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

export interface SpanSpec {
  /** Continue this trace instead of the active one (work picked up from a store). */
  parent?: Context;
  kind?: SpanKind;
  attributes?: Attributes;
  /** Other traces this work also serves (a batch, a coalesced change). */
  links?: Link[];
  /** When the work began, if before the span is made (ms since epoch). */
  startTime?: number;
  /** Whether a throw is a failure (default) or flow control, such as a queue job put back to wait. */
  isFailure?: (err: unknown) => boolean;
}

/**
 * Runs `work` outside every trace, with its own I/O untraced: a loop that
 * polls a store on behalf of many traces (the outbox relay) names the one each
 * item continues explicitly, and its polls are not work of any of them.
 */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(ROOT_CONTEXT), work);
}

/** Runs `work` in a new active span that ends when it settles; a throw marks the span as an error. */
export async function inSpan<T>(name: string, spec: SpanSpec, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = spec.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: spec.kind, attributes: spec.attributes, links: spec.links }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    if (spec.isFailure?.(err) ?? true) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    }
    throw err;
  } finally {
    span.end();
  }
}

/** Starts a span under `parent` without making it active (a message sent on another trace's behalf). */
export function startSpanUnder(name: string, parent: Context, spec: Omit<SpanSpec, 'parent'> = {}): { span: Span; context: Context } {
  const span = tracer().startSpan(name, { kind: spec.kind, attributes: spec.attributes, links: spec.links, startTime: spec.startTime }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Work gathered from several traces and done later as one (a coalesced
 * weight swap): the span continues the first trace gathered and links the
 * others, at most `limit`.
 */
export function createTraceGather(limit = 32) {
  let first: Context | undefined;
  let links: Link[] = [];
  return {
    /** Remember the active trace (or `from`). */
    add(from: Context = context.active()): void {
      const spanContext = trace.getSpanContext(from);
      if (!spanContext) return;
      if (!first) first = from;
      else if (links.length < limit) links.push({ context: spanContext });
    },
    /** What was gathered since the last take, as the spec of the span that does the work. */
    take(): SpanSpec {
      const spec: SpanSpec = { parent: first ?? ROOT_CONTEXT, links };
      first = undefined;
      links = [];
      return spec;
    },
  };
}
