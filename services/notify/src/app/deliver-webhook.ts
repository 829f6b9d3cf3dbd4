import type { Delivery } from '../domain/delivery.js';
import { verdictForStatus, type AttemptVerdict } from '../domain/delivery-outcome.js';
import { signPayload, SIGNATURE_HEADER } from '../domain/signature.js';
import type { Clock, SubscriptionStore, WebhookResponse, WebhookSender } from './ports.js';

export interface AttemptResult {
  /** `dropped`: the subscription was deleted; nothing is sent. */
  verdict: AttemptVerdict | 'dropped';
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
    default: {
      const unreachable: never = response;
      throw new Error(`unknown response ${String(unreachable)}`);
    }
  }
}

/** One signed POST of a delivery to its subscription's URL. */
export function createWebhookDelivery(deps: {
  subscriptions: SubscriptionStore;
  sender: WebhookSender;
  clock: Clock;
  timeoutMs: number;
}) {
  return {
    async attempt(delivery: Delivery, attempt: number): Promise<AttemptResult> {
      const subscription = await deps.subscriptions.get(delivery.subscriptionId);
      if (!subscription) return { verdict: 'dropped', detail: 'subscription deleted', durationMs: 0 };
      const started = deps.clock.now();
      const response = await deps.sender.post({
        url: subscription.url,
        body: delivery.body,
        timeoutMs: deps.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kera-Webhooks/1',
          'kera-event-id': delivery.eventId,
          'kera-event-type': delivery.eventType,
          'kera-delivery-attempt': String(attempt),
          [SIGNATURE_HEADER]: signPayload(subscription.secret, delivery.body, started),
        },
      });
      const durationMs = deps.clock.now().getTime() - started.getTime();
      const verdict = response.kind === 'response' ? verdictForStatus(response.status) : 'retry';
      return { verdict, detail: describe(response, deps.timeoutMs), durationMs };
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
