import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderReceipt } from '../vehicles/index.js';
import { createOrderLog, duplicateExecutions } from './order-log.js';

const receipt = (vehicleId: string, orderId: string, orderUpdateId: number, executed: boolean): OrderReceipt => ({
  vehicleId,
  jobId: `job-of-${orderId}`,
  orderId,
  orderUpdateId,
  commandId: `c-${Math.random()}`,
  receivedAt: 1,
  accepted: true,
  executed,
});

describe('order log', () => {
  it('hands out what was recorded since the last drain, once', () => {
    const log = createOrderLog();
    log.orderReceived(receipt('r1', 'o1', 0, true));
    log.stateSent();
    log.stateSent();
    assert.deepEqual(log.drain().statesSent, 2);
    const next = log.drain();
    assert.deepEqual(next, { receipts: [], statesSent: 0 });
  });

  it('counts a second execution of the same order update, on the same or another vehicle, but not a recognised resend', () => {
    const receipts = [
      receipt('r1', 'o1', 0, true),
      receipt('r1', 'o1', 0, false), // resend, recognised
      receipt('r1', 'o1', 1, true), // an update is a new execution key
      receipt('r2', 'o1', 0, true), // the same order on another vehicle
      receipt('r3', 'o2', 0, true),
    ];
    assert.deepEqual(duplicateExecutions(receipts), { count: 1, keys: ['o1#0'] });
    assert.deepEqual(duplicateExecutions(receipts.slice(0, 3)), { count: 0, keys: [] });
  });
});
