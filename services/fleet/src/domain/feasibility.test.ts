import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capacityProblem, earliestDelivery, whyNoVehicle, windowNotOpen, windowProblem } from './feasibility.js';
import type { Vehicle } from './types.js';

const now = new Date('2026-11-27T10:00:00Z');
const vehicle = (patch: Partial<Vehicle> = {}): Vehicle => ({
  id: 'v', kind: 'ROBOT', profile: 'sidewalk', capacity: 4, batteryPct: 90, position: { lat: 60.18, lon: 24.82 },
  headingDeg: 0, status: 'IDLE', lastSeen: now, version: 1, ...patch,
});
const rules = { minBatteryPct: 20 };

describe('feasibility', () => {
  it('refuses a size above every registered capacity of the routable profiles, and names the largest', () => {
    const largest = new Map([['sidewalk', 4], ['road', 12]] as const);
    assert.equal(capacityProblem(4, ['sidewalk'], largest), undefined);
    assert.equal(capacityProblem(5, ['sidewalk'], largest), 'size 5 exceeds the largest capacity of any registered sidewalk vehicle (4)');
    assert.equal(capacityProblem(5, ['sidewalk', 'road'], largest), undefined, 'a shuttle can carry it');
    assert.equal(capacityProblem(99, ['sidewalk'], new Map()), undefined, 'an empty fleet is not a refusal');
  });

  it('knows the earliest possible delivery and refuses a latest delivery before it', () => {
    const trips = new Map([['sidewalk', 600], ['road', 300]] as const);
    assert.deepEqual(earliestDelivery(now, undefined, trips), new Date('2026-11-27T10:05:00Z'));
    assert.deepEqual(earliestDelivery(now, new Date('2026-11-27T11:00:00Z'), trips), new Date('2026-11-27T11:05:00Z'));
    assert.equal(windowProblem({ latestDelivery: new Date('2026-11-27T10:06:00Z') }, now, trips), undefined);
    assert.equal(
      windowProblem({ latestDelivery: new Date('2026-11-27T10:04:00Z') }, now, trips),
      'latest_delivery 2026-11-27T10:04:00.000Z cannot be met: the earliest possible delivery is 2026-11-27T10:05:00.000Z',
    );
    assert.equal(windowNotOpen({ earliestPickup: new Date('2026-11-27T10:30:00Z') }, now), 'window not open yet: earliest pickup at 2026-11-27T10:30:00.000Z');
    assert.equal(windowNotOpen({ earliestPickup: now }, now), undefined);
  });

  it('says why no vehicle takes a job, most fundamental first', () => {
    const job = { profiles: ['sidewalk' as const], size: 3 };
    assert.equal(whyNoVehicle(job, [vehicle({ profile: 'road' })], rules), 'no idle sidewalk vehicle connected');
    assert.equal(whyNoVehicle(job, [vehicle({ batteryPct: 5, capacity: 1 })], rules), 'battery: all 1 idle sidewalk vehicles are below 20%');
    assert.equal(whyNoVehicle(job, [vehicle({ capacity: 2 }), vehicle({ capacity: 1 })], rules), 'capacity: no idle sidewalk vehicle carries size 3 (largest idle: 2)');
  });
});
