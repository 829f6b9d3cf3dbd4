import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseVehicle, isEligible } from './dispatch.js';
import type { Job, Vehicle } from './types.js';

const now = new Date('2026-11-27T10:00:00Z');
const job: Job = {
  id: 'job-1',
  requestId: 'r',
  operatorId: 'op',
  status: 'QUEUED',
  pickup: { lat: 60.185, lon: 24.827 },
  dropoff: { lat: 60.188, lon: 24.833 },
  size: 2,
  priority: 0,
  profiles: ['sidewalk'],
  createdAt: now,
  updatedAt: now,
  version: 2,
};
const vehicle = (id: string, patch: Partial<Vehicle> = {}): Vehicle => ({
  id,
  kind: 'ROBOT',
  profile: 'sidewalk',
  capacity: 4,
  batteryPct: 90,
  position: { lat: 60.18, lon: 24.82 },
  headingDeg: 0,
  status: 'IDLE',
  lastSeen: now,
  version: 1,
  ...patch,
});
const rules = { minBatteryPct: 20 };

describe('dispatch rules', () => {
  it('only idle, free, charged vehicles big enough on a profile that reaches the job are eligible', () => {
    assert.equal(isEligible(vehicle('ok'), job, rules), true);
    assert.equal(isEligible(vehicle('busy', { jobId: 'other' }), job, rules), false);
    assert.equal(isEligible(vehicle('small', { capacity: 1 }), job, rules), false);
    assert.equal(isEligible(vehicle('flat', { batteryPct: 10 }), job, rules), false);
    assert.equal(isEligible(vehicle('shuttle', { profile: 'road', kind: 'SHUTTLE' }), job, rules), false);
    assert.equal(isEligible(vehicle('paused', { status: 'PAUSED' }), job, rules), false);
  });

  it('picks the vehicle that reaches the pickup first', () => {
    const choice = chooseVehicle(
      job,
      [
        { vehicle: vehicle('far'), toPickupS: 600 },
        { vehicle: vehicle('near'), toPickupS: 120 },
        { vehicle: vehicle('cut-off'), toPickupS: undefined },
      ],
      () => 300,
      now,
    );
    assert.deepEqual(choice.ok && [choice.vehicle.id, choice.toPickupS], ['near', 120]);
  });

  it('skips vehicles that cannot deliver before latest delivery, and says so when none can', () => {
    const tight = { ...job, latestDelivery: new Date(now.getTime() + 10 * 60_000) };
    const choice = chooseVehicle(tight, [{ vehicle: vehicle('slow'), toPickupS: 500 }, { vehicle: vehicle('fast'), toPickupS: 200 }], () => 300, now);
    assert.ok(choice.ok);
    assert.equal(choice.vehicle.id, 'fast');
    const none = chooseVehicle(tight, [{ vehicle: vehicle('slow'), toPickupS: 500 }], () => 300, now);
    assert.deepEqual(none, { ok: false, retry: true, reason: 'no vehicle can deliver before latest_delivery' });
  });
  it('spreads jobs over vehicles about as near as the best, the same way every time for a job', () => {
    const near = [0, 1, 2, 3].map((i) => ({ vehicle: vehicle(`v${i}`), toPickupS: 100 + i * 5 }));
    const far = { vehicle: vehicle('far'), toPickupS: 400 };
    const picks = new Set(
      Array.from({ length: 40 }, (_, i) => {
        const c = chooseVehicle({ ...job, id: `job-${i}` }, [...near, far], () => 300, now, { withinS: 20, round: 0 });
        return c.ok ? c.vehicle.id : 'none';
      }),
    );
    assert.deepEqual([...picks].sort(), ['v0', 'v1', 'v2', 'v3'], 'never the far one, and not always the same');
    const again = chooseVehicle(job, [...near, far], () => 300, now, { withinS: 20, round: 0 });
    const once = chooseVehicle(job, [...near, far], () => 300, now, { withinS: 20, round: 0 });
    assert.deepEqual(again, once);
  });
});
