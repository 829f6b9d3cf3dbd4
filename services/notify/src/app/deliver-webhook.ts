import type { Delivery } from '../domain/delivery.js';
import { verdictForStatus, type AttemptVerdict } from '../domain/delivery-outcome.js';
import type { Clock, EndpointSlots, SubscriptionStore, WebhookResponse, WebhookSender, WebhookSigner } from './ports.js';

export interface AttemptResult {
  /**
   * `dropped`: the subscription was deleted; nothing is sent. `busy`: the
   * endpoint has all its slots in use; nothing is sent and the attempt is not counted.
   */
  verdict: AttemptVerdict | 'dropped' | 'busy';
  /** Short, loggable: "HTTP 503", "timeout after 5000 ms". Never the body or URL secrets. */
  detail: string;
  durationMs: number;
}

function describe(response: WebhookResponse, timeoutMs: number): string {
  switch (response.kind) {
    case 'response':
      return `HTTP ${response.status}`;
    case 'timeout':
      return `timeout after ${timeoutMs} ms`;
    case 'network-error':
      return `network error: ${response.message}`;
    case 'refused':
      return `destination refused: ${response.message}`;
    default: {
      const unreachable: never = response;
      throw new Error(`unknown response ${String(unreachable)}`);
    }
  }
}

const LEGACY_SECRET = 'the subscription secret is not a Standard Webhooks secret (whsec_ + base64); recreate the subscription';

/**
 * The event id is the message id: the same in every retry and replay, so
 * receivers dedupe on it. Undefined for a secret the library cannot use (one
 * stored before Standard Webhooks signing): retrying would never help.
 */
function signatureHeaders(signer: WebhookSigner, secret: string, delivery: Delivery, at: Date): Record<string, string> | undefined {
  try {
    return signer.headers(secret, delivery.eventId, at, delivery.body);
  } catch {
    return undefined;
  }
}

function verdictOf(response: WebhookResponse): AttemptVerdict {
  if (response.kind === 'response') return verdictForStatus(response.status);
  return response.kind === 'refused' ? 'rejected' : 'retry';
}

/** One signed POST of a delivery to its subscription's URL. */
export function createWebhookDelivery(deps: {
  subscriptions: SubscriptionStore;
  sender: WebhookSender;
  signer: WebhookSigner;
  slots: EndpointSlots;
  clock: Clock;
  timeoutMs: number;
}) {
  // A slot outlives the request a little, and expires if its holder crashed.
  const slotTtlMs = deps.timeoutMs + 5_000;
  return {
    async attempt(delivery: Delivery, attempt: number): Promise<AttemptResult> {
      const subscription = await deps.subscriptions.get(delivery.subscriptionId);
      if (!subscription) return { verdict: 'dropped', detail: 'subscription deleted', durationMs: 0 };
      const started = deps.clock.now();
      const signature = signatureHeaders(deps.signer, subscription.secret, delivery, started);
      if (!signature) return { verdict: 'rejected', detail: LEGACY_SECRET, durationMs: 0 };
      const endpoint = new URL(subscription.url).origin;
      if (!(await deps.slots.acquire(endpoint, delivery.deliveryId, slotTtlMs))) {
        return { verdict: 'busy', detail: `endpoint ${endpoint} has all its slots in use`, durationMs: 0 };
      }
      let response: WebhookResponse;
      try {
        response = await deps.sender.post({
          url: subscription.url,
          body: delivery.body,
          timeoutMs: deps.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Kera-Webhooks/1',
            'kera-event-type': delivery.eventType,
            'kera-delivery-attempt': String(attempt),
            ...signature,
          },
        });
      } finally {
        await deps.slots.release(endpoint, delivery.deliveryId);
      }
      const durationMs = deps.clock.now().getTime() - started.getTime();
      const verdict = verdictOf(response);
      return { verdict, detail: describe(response, deps.timeoutMs), durationMs };
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
