import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { concernsVehicle, decideEta, delayDeadline, distanceM, nextStop, vehicleAlert } from './alerts.js';
import { closureZone } from './closure-zone.js';
import type { JobSnapshot } from './webhook-event.js';

const job = (overrides: Partial<JobSnapshot>): JobSnapshot => ({
  id: 'job-1',
  operatorId: 'acme',
  status: 'DISPATCHED',
  pickup: { lat: 60.1841, lon: 24.8301 },
  dropoff: { lat: 60.1867, lon: 24.8277 },
  size: 1,
  priority: 0,
  earliestPickup: undefined,
  latestDelivery: undefined,
  vehicleId: 'robot-7',
  orderId: 'order-1',
  eta: undefined,
  reason: undefined,
  createdAt: undefined,
  updatedAt: undefined,
  version: 4,
  ...overrides,
});

const policy = { thresholdS: 120, minIntervalS: 60 };
const t = (s: number) => new Date(Date.UTC(2025, 2, 1, 12, 0, s));

describe('alert rules', () => {
  it('takes the first ETA as the baseline and reports a shift past the threshold', () => {
    const first = decideEta(undefined, t(600), t(0), policy);
    assert.equal(first.change, undefined);
    const small = decideEta(first.state, t(700), t(10), policy);
    assert.equal(small.change, undefined, '100 s is under the threshold');
    assert.deepEqual(small.state, first.state);
    const big = decideEta(small.state, t(900), t(20), policy);
    assert.deepEqual(big.change, { previousEta: t(600).toISOString(), eta: t(900).toISOString(), shiftSeconds: 300 });
    const earlier = decideEta(big.state, t(700), t(100), policy);
    assert.equal(earlier.change?.shiftSeconds, -200, 'an earlier ETA is a change too');
  });

  it('holds back a change within the interval and reports it with the next ETA after it', () => {
    const sent = decideEta({ sentEta: t(600).toISOString(), sentAt: t(0).toISOString() }, t(1200), t(30), policy);
    assert.equal(sent.change, undefined, 'only 30 s after the last one');
    const later = decideEta(sent.state, t(1200), t(61), policy);
    assert.equal(later.change?.shiftSeconds, 600);
    assert.equal(decideEta(later.state, undefined, t(200), policy).change, undefined, 'no ETA, nothing to say');
  });

  it('counts a job delayed only while it is active', () => {
    const deadline = t(0);
    assert.equal(delayDeadline(job({ latestDelivery: deadline })), deadline);
    assert.equal(delayDeadline(job({ latestDelivery: deadline, status: 'DELIVERED' })), undefined);
    assert.equal(delayDeadline(job({ latestDelivery: deadline, status: 'CANCELLED' })), undefined);
    assert.equal(delayDeadline(job({})), undefined, 'no window, never late');
  });

  it('heads for the pickup until picked up, then the drop-off', () => {
    assert.equal(nextStop(job({ status: 'ASSIGNED' }))?.stop, 'pickup');
    assert.equal(nextStop(job({ status: 'DISPATCHED' }))?.stop, 'pickup');
    assert.equal(nextStop(job({ status: 'PICKED_UP' }))?.stop, 'dropoff');
    assert.equal(nextStop(job({ status: 'QUEUED' })), undefined);
    assert.equal(nextStop(job({ status: 'DELIVERED' })), undefined);
  });

  it('measures great-circle distance in metres', () => {
    assert.equal(Math.round(distanceM({ lat: 60.18, lon: 24.82 }, { lat: 60.18 + 100 / 111_195, lon: 24.82 })), 100);
    // Helsinki railway square → Otaniemi, a little over 6 km.
    const km = distanceM({ lat: 60.1699, lon: 24.9384 }, { lat: 60.1841, lon: 24.8301 }) / 1000;
    assert.ok(km > 6 && km < 7, String(km));
  });

  it('alerts on the transition into OFFLINE or ERROR only', () => {
    assert.equal(vehicleAlert('EN_ROUTE', 'OFFLINE'), 'vehicle.offline');
    assert.equal(vehicleAlert(undefined, 'ERROR'), 'vehicle.error');
    assert.equal(vehicleAlert('ERROR', 'ERROR'), undefined);
    assert.equal(vehicleAlert('ERROR', 'OFFLINE'), 'vehicle.offline');
    assert.equal(vehicleAlert('OFFLINE', 'IDLE'), undefined);
  });

  it('lets a vehicle alert reach a job the vehicle was just taken off, until another vehicle has it', () => {
    const released = { vehicleId: 'robot-7', at: t(0).toISOString() };
    const queued = job({ status: 'QUEUED', vehicleId: undefined });
    assert.equal(concernsVehicle(job({}), undefined, 'robot-7', t(0)), true, 'carrying it');
    assert.equal(concernsVehicle(queued, released, 'robot-7', t(30)), true, 'handed back 30 s ago');
    assert.equal(concernsVehicle(queued, released, 'robot-7', t(11 * 60)), false, 'past the grace period');
    assert.equal(concernsVehicle(job({ status: 'ASSIGNED', vehicleId: 'robot-9' }), released, 'robot-7', t(30)), false, 'on another vehicle');
    assert.equal(concernsVehicle(job({ status: 'FAILED', vehicleId: undefined }), released, 'robot-7', t(30)), false, 'finished');
  });

  it('finds routes that pass within the distance of a closure', () => {
    const closure = closureZone({ type: 'Point', coordinates: [24.825, 60.18] }, 30);
    const street = [{ lat: 60.18 + 20 / 111_195, lon: 24.82 }, { lat: 60.18 + 20 / 111_195, lon: 24.83 }];
    const parallel = street.map((p) => ({ ...p, lat: p.lat + 40 / 111_195 }));
    assert.equal(closure.touches(street), true, '20 m away');
    assert.equal(closure.touches(parallel), false, '60 m away');
    assert.equal(closure.touches([]), false);
  });
});
