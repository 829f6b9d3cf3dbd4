/**
 * Messages that continue a trace other than the active one (outbox entries
 * relayed later, each from its own request). The producer injects their own
 * context into their headers; the kafkajs instrumentation then injects the
 * active one over it, and its producer hook calls restorePinnedTraceHeaders to
 * put theirs back. Kept in a module of its own so the SDK bootstrap can load
 * it without loading kafkajs.
 */
const pinned = new WeakMap<object, Record<string, string>>();

export function pinTraceHeaders(message: object, headers: Record<string, string>): void {
  pinned.set(message, headers);
}

export function restorePinnedTraceHeaders(message: { headers?: Record<string, unknown> | undefined }): void {
  const headers = pinned.get(message);
  if (headers && message.headers) Object.assign(message.headers, headers);
}
