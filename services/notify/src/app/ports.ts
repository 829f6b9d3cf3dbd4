import type { Delivery } from '../domain/delivery.js';
import type { Subscription } from '../domain/subscription.js';

export interface SubscriptionStore {
  save(subscription: Subscription): Promise<void>;
  /** False when there was no such subscription. */
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<Subscription | undefined>;
  /** Oldest first. */
  listByOperator(operatorId: string): Promise<Subscription[]>;
}

/** Takes deliveries in lane order; a delivery seen before is ignored. */
export interface DeliveryQueue {
  /** Resolves once every delivery is durable; returns how many were new. */
  enqueue(deliveries: readonly Delivery[]): Promise<number>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type WebhookResponse =
  | { kind: 'response'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string };

export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

export interface Clock {
  now(): Date;
}
