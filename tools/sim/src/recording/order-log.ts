/**
 * What a benchmark needs from the virtual vehicles: every order received (to
 * time submit → order received), how many state reports went out, and which
 * orders were executed more than once. Pure; the IPC lives in record-main.
 */
import type { OrderReceipt, VehicleObserver } from '../vehicles/index.js';

/** Collects receipts and state counts between two drains (one report period). */
export interface OrderLog extends VehicleObserver {
  drain(): { receipts: OrderReceipt[]; statesSent: number };
}

export function createOrderLog(): OrderLog {
  let receipts: OrderReceipt[] = [];
  let statesSent = 0;
  return {
    orderReceived: (receipt) => void receipts.push(receipt),
    stateSent: () => void statesSent++,
    drain() {
      const out = { receipts, statesSent };
      receipts = [];
      statesSent = 0;
      return out;
    },
  };
}

/** orderId + orderUpdateId: the VDA 5050 idempotency key of an order. */
export const orderKey = (r: Pick<OrderReceipt, 'orderId' | 'orderUpdateId'>): string => `${r.orderId}#${r.orderUpdateId}`;

/**
 * Executions beyond the first of the same orderId + orderUpdateId, over all
 * vehicles (a resend the vehicle recognises is received but not executed).
 */
export function duplicateExecutions(receipts: Iterable<OrderReceipt>): { count: number; keys: string[] } {
  const executions = new Map<string, number>();
  for (const r of receipts) if (r.executed) executions.set(orderKey(r), (executions.get(orderKey(r)) ?? 0) + 1);
  const keys = [...executions].filter(([, n]) => n > 1).map(([key]) => key);
  const count = [...executions.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return { count, keys };
}
