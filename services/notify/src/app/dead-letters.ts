import { NotFoundError, ValidationError } from '@kera/platform';
import { replayOf, type Delivery } from '../domain/delivery.js';
import type { DeliveryQueue, SubscriptionStore } from './ports.js';

/** A delivery that failed for good (rejected, or out of attempts). */
export interface DeadLetter {
  /** The delivery id; what `replay` takes. */
  id: string;
  delivery: Delivery;
  /** Why the last attempt failed: "HTTP 410", "timeout after 5000 ms", "destination refused: …". */
  reason: string;
  attempts: number;
  failedAt: Date | undefined;
}

export interface DeadLetterStore {
  /** Newest first; `operatorId` undefined lists every operator's. */
  list(filter: { operatorId?: string; subscriptionId?: string; limit: number }): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | undefined>;
  /** Forgets a dead letter once its replay is durable. */
  remove(id: string): Promise<void>;
}

export const DEAD_LETTER_LIST_MAX = 500;

/**
 * Listing and replay of dead letters, for the CLI now and the console later
 * (both call these, so they behave the same). An operator sees and replays
 * only its own; `operatorId` undefined is the admin view.
 */
export function createDeadLetterCommands(deps: { store: DeadLetterStore; deliveries: DeliveryQueue; subscriptions: SubscriptionStore }) {
  const { store } = deps;
  const own = (letter: DeadLetter | undefined, operatorId: string | undefined) =>
    letter && (operatorId === undefined || letter.delivery.operatorId === operatorId) ? letter : undefined;

  return {
    async list(filter: { operatorId?: string; subscriptionId?: string; limit?: number }): Promise<DeadLetter[]> {
      const limit = filter.limit || 100;
      if (limit < 1 || limit > DEAD_LETTER_LIST_MAX) throw new ValidationError(`limit: between 1 and ${DEAD_LETTER_LIST_MAX}`);
      return store.list({ ...filter, limit });
    },

    /**
     * Queues the dead letter's delivery again at the end of its lane, with the
     * original event id (so the same `webhook-id`) and body. Idempotent: a
     * second replay of the same dead letter adds nothing.
     */
    async replay(id: string, operatorId?: string): Promise<{ deliveryId: string; eventId: string }> {
      if (!id) throw new ValidationError('dead_letter_id: required');
      const letter = own(await store.get(id), operatorId);
      if (!letter) throw new NotFoundError(`dead letter ${id} not found`);
      if (!(await deps.subscriptions.get(letter.delivery.subscriptionId))) {
        throw new ValidationError(`dead letter ${id}: its subscription ${letter.delivery.subscriptionId} was deleted`);
      }
      const replay = replayOf(letter.delivery);
      await deps.deliveries.enqueue([replay]);
      await store.remove(id);
      return { deliveryId: replay.deliveryId, eventId: replay.eventId };
    },
  };
}

export type DeadLetterCommands = ReturnType<typeof createDeadLetterCommands>;
