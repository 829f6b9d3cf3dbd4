import type { Job, Order, Vehicle } from '../../domain/types.js';

/** JSON with dates revived: stored documents stay readable with redis-cli. */
const DATE_FIELDS = new Set(['earliestPickup', 'latestDelivery', 'eta', 'createdAt', 'updatedAt', 'lastSeen']);

export const toJson = (doc: Job | Vehicle | Order): string => JSON.stringify(doc);

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (key, value: unknown) => (DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value)) as T;
}
