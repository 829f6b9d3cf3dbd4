import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VehicleEventType } from '@kera/proto/fleet/v1/fleet';
import { EtaChangeCause, JobEventKind, JobStatus } from '@kera/proto/fleet/v1/jobs';
import { EVENTS, wrap } from '@kera/platform';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { IncidentKind } from '@kera/proto/traffic/v1/events';
import { uniqueName, waitFor } from '@kera/testkit';
import type { WebhookEvent } from '../src/domain/webhook-event.js';
import { incident, orderEvent, vehicleEvent } from './support/fleet-events.js';
import { jobEvent, startNotifyHarness, type NotifyHarness } from './support/notify.js';
import { startReceiver, type Receiver, type ReceivedRequest } from './support/receiver.js';

const PICKUP = { lat: 60.1841, lon: 24.8301 };
const DROPOFF = { lat: 60.1867, lon: 24.8277 };
const body = (r: ReceivedRequest) => JSON.parse(r.rawBody) as WebhookEvent;
const north = (p: { lat: number; lon: number }, metres: number) => ({ lat: p.lat + metres / 111_195, lon: p.lon });

describe('alert webhooks', () => {
  let notify: NotifyHarness;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const started = await startReceiver();
    receivers.push(started);
    return started;
  };

  before(async () => {
    notify = await startNotifyHarness({
      ETA_CHANGE_THRESHOLD_S: '120',
      ETA_CHANGE_MIN_INTERVAL_S: '60',
      ARRIVING_DISTANCE_M: '100',
      INCIDENT_ROUTE_DISTANCE_M: '30',
    });
  });

  after(async () => {
    await notify.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  /** A subscriber for a fresh operator, receiving only `eventTypes`. */
  const subscriber = async (eventTypes: string[]) => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url, eventTypes });
    return { hooks, operatorId };
  };

  it('job.failed carries the reason at the top of its data', async () => {
    const { hooks, operatorId } = await subscriber(['job.failed']);
    const jobId = uniqueName('job');
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.FAILED, JobStatus.QUEUED, 3, { reason: 'no vehicle can reach the pickup' }));
    const [failed] = await hooks.requests.waitUntil('failed webhook', (items) => items.length >= 1);
    assert.equal(body(failed!).type, 'job.failed');
    assert.equal(body(failed!).data.reason, 'no vehicle can reach the pickup');
    assert.equal(body(failed!).data.job.id, jobId);
  });

  it('job.eta_changed when the ETA moves past the threshold, at most once per interval', async () => {
    const { hooks, operatorId } = await subscriber(['job.eta_changed', 'job.delivered']);
    const jobId = uniqueName('job');
    const t0 = Date.now();
    const base = t0 + 600_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const eta = (s: number) => ({ eta: new Date(base + s * 1000) });
    const same = JobStatus.DISPATCHED;
    await notify.publishJob(jobEvent(jobId, operatorId, same, JobStatus.ASSIGNED, 4, eta(0)), at(0)); // baseline
    await notify.publishJob(jobEvent(jobId, operatorId, same, same, 4, eta(60)), at(10)); // under the threshold
    await notify.publishJob(jobEvent(jobId, operatorId, same, same, 4, eta(300)), at(20)); // +300 s: told
    await notify.publishJob(jobEvent(jobId, operatorId, same, same, 4, eta(900)), at(40)); // 20 s after the last: held back
    await notify.publishJob(jobEvent(jobId, operatorId, same, same, 4, eta(900)), at(90)); // 70 s after: told, +600 s
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.DELIVERED, same, 5, { eta: undefined }), at(100));

    const received = await hooks.requests.waitUntil('delivered webhook', (items) => items.some((r) => r.eventType === 'job.delivered'));
    assert.deepEqual(received.map((r) => r.eventType), ['job.eta_changed', 'job.eta_changed', 'job.delivered']);
    const changes = received.slice(0, 2).map((r) => body(r).data);
    assert.deepEqual(
      changes.map((d) => [d.previousEta, d.eta, d.shiftSeconds]),
      [
        [new Date(base).toISOString(), new Date(base + 300_000).toISOString(), 300],
        [new Date(base + 300_000).toISOString(), new Date(base + 900_000).toISOString(), 600],
      ],
    );
  });

  it("fleet's ETA_CHANGED events: one job.updated each, job.eta_changed with the cause past notify's threshold, nothing again on redelivery", async () => {
    const { hooks, operatorId } = await subscriber(['job.updated', 'job.eta_changed', 'job.delivered']);
    const jobId = uniqueName('job');
    const t0 = Date.now();
    const base = t0 + 600_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const eta = (s: number) => new Date(base + s * 1000);
    const same = JobStatus.DISPATCHED;
    const etaChanged = (version: number, from: number, to: number, cause: EtaChangeCause) => ({
      ...jobEvent(jobId, operatorId, same, same, version, { eta: eta(to) }),
      kind: JobEventKind.ETA_CHANGED, previousEta: eta(from), etaCause: cause, trafficVersion: 7,
    });
    await notify.publishJob(jobEvent(jobId, operatorId, same, JobStatus.ASSIGNED, 4, { eta: eta(0) }), at(0)); // baseline
    // +300 s after a traffic change, delivered twice by Kafka (same envelope id).
    const traffic = wrap(EVENTS.jobEvent, etaChanged(5, 0, 300, EtaChangeCause.TRAFFIC), { source: 'fleet', id: crypto.randomUUID(), occurredAt: at(20) });
    await notify.producer.send(notify.topics.jobEvents, [{ key: jobId, value: traffic }, { key: jobId, value: traffic }]);
    // +90 s from progress: fleet told it (its threshold is lower), notify's 120 s threshold holds it back.
    await notify.publishJob(etaChanged(6, 300, 390, EtaChangeCause.PROGRESS), at(100));
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.DELIVERED, same, 7, { eta: undefined }), at(120));

    const received = await hooks.requests.waitUntil('delivered webhook', (items) => items.some((r) => r.eventType === 'job.delivered'));
    assert.deepEqual(received.map((r) => r.eventType), ['job.updated', 'job.eta_changed', 'job.updated', 'job.delivered']);
    const told = body(received[1]!).data;
    assert.deepEqual([told.previousEta, told.eta, told.shiftSeconds, told.cause], [eta(0).toISOString(), eta(300).toISOString(), 300, 'traffic']);
    assert.deepEqual(received.slice(0, 3).map((r) => body(r).data.job.version), [5, 5, 6]);
  });

  it('job.delayed once a job is past its latest delivery and not delivered', async () => {
    const { hooks, operatorId } = await subscriber(['job.delayed']);
    const [late, onTime, overdue] = [uniqueName('job-late'), uniqueName('job-on-time'), uniqueName('job-overdue')];
    const now = Date.now();
    const dispatched = (jobId: string, latestDelivery: Date) =>
      jobEvent(jobId, operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, { latestDelivery });
    await notify.publishJob(dispatched(overdue, new Date(now - 60_000)));
    // Margins of seconds, so a loaded machine still processes the delivery before the on-time deadline.
    await notify.publishJob(dispatched(onTime, new Date(now + 5_000)));
    await notify.publishJob(jobEvent(onTime, operatorId, JobStatus.DELIVERED, JobStatus.DISPATCHED, 5, { latestDelivery: new Date(now + 5_000) }));
    await notify.publishJob(dispatched(late, new Date(now + 6_000)));

    // The on-time job's deadline comes first: had it fired, it would be here before the late one's.
    await hooks.requests.waitFor('the late job delayed', (r) => body(r).data.job.id === late, 30_000);
    assert.deepEqual(hooks.requests.items.map((r) => body(r).data.job.id), [overdue, late]);
    const delayed = body(hooks.requests.items[1]!);
    assert.equal(delayed.type, 'job.delayed');
    assert.equal(delayed.data.latestDelivery, new Date(now + 6_000).toISOString());
    assert.ok((delayed.data.overdueSeconds as number) >= 0);
    assert.ok((body(hooks.requests.items[0]!).data.overdueSeconds as number) >= 60);
  });

  it('job.arriving once per stop when the vehicle comes within the distance of the pickup, then the drop-off', async () => {
    const { hooks, operatorId } = await subscriber(['job.arriving']);
    const jobId = uniqueName('job');
    const vehicleId = uniqueName('robot');
    const carried = { vehicleId, pickup: PICKUP, dropoff: DROPOFF };
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, carried));
    await notify.tracked(jobId, 4);
    await notify.publishVehicle(vehicleEvent(vehicleId, { position: north(PICKUP, 500) }));
    await notify.publishVehicle(vehicleEvent(vehicleId, { position: north(PICKUP, 60) }));
    await notify.publishVehicle(vehicleEvent(vehicleId, { position: north(PICKUP, 20) }));
    await hooks.requests.waitUntil('arriving at the pickup', (items) => items.length >= 1);
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.PICKED_UP, JobStatus.DISPATCHED, 5, carried));
    await notify.tracked(jobId, 5);
    await notify.publishVehicle(vehicleEvent(vehicleId, { position: north(DROPOFF, -40) }));

    await hooks.requests.waitUntil('arriving at the drop-off', (items) => items.length >= 2);
    const arrivals = hooks.requests.items.map((r) => body(r).data);
    assert.deepEqual(arrivals.map((d) => [d.stop, d.distanceMeters]), [['pickup', 60], ['dropoff', 40]]);
    assert.equal((arrivals[0]!.vehicle as { id: string }).id, vehicleId);
    assert.deepEqual(hooks.requests.items.map((r) => r.eventType), ['job.arriving', 'job.arriving']);
  });

  it('vehicle.error and vehicle.offline go to each operator whose active job the vehicle carries', async () => {
    const own = await subscriber(['vehicle.*']);
    const other = await subscriber(['vehicle.*']);
    const vehicleId = uniqueName('robot');
    const [ownJob, otherJob] = [uniqueName('job'), uniqueName('job-other')];
    await notify.publishJob(jobEvent(ownJob, own.operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, { vehicleId }));
    await notify.publishJob(jobEvent(otherJob, other.operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, { vehicleId }));
    await notify.tracked(ownJob, 4);
    await notify.tracked(otherJob, 4);

    await notify.publishVehicle(vehicleEvent(vehicleId, { status: VehicleStatus.ERROR, reason: 'lidar fault' }));
    await notify.publishVehicle(vehicleEvent(vehicleId, { status: VehicleStatus.ERROR, reason: 'lidar fault' }));
    await notify.publishVehicle(vehicleEvent(vehicleId, { type: VehicleEventType.OFFLINE, status: VehicleStatus.ERROR, reason: 'lease expired' }));

    for (const [{ hooks }, jobId] of [[own, ownJob], [other, otherJob]] as const) {
      await hooks.requests.waitUntil('error and offline', (items) => items.length >= 2);
      assert.deepEqual(hooks.requests.items.map((r) => r.eventType), ['vehicle.error', 'vehicle.offline']);
      assert.deepEqual(hooks.requests.items.map((r) => body(r).data.job.id), [jobId, jobId], 'only its own job');
      const [error, offline] = hooks.requests.items.map((r) => body(r).data);
      assert.deepEqual([error!.reason, (error!.vehicle as { status: string }).status], ['lidar fault', 'ERROR']);
      assert.deepEqual([offline!.reason, (offline!.vehicle as { status: string }).status], ['lease expired', 'OFFLINE']);
    }
  });

  it('vehicle.offline still reaches the operator when fleet handed the job back before the vehicle event was read', async () => {
    const { hooks, operatorId } = await subscriber(['vehicle.offline']);
    const vehicleId = uniqueName('robot');
    const jobId = uniqueName('job');
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, { vehicleId }));
    await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.QUEUED, JobStatus.DISPATCHED, 5, { vehicleId: '', reason: `vehicle ${vehicleId} went offline` }));
    await notify.tracked(jobId, 5);
    await notify.publishVehicle(vehicleEvent(vehicleId, { type: VehicleEventType.OFFLINE, status: VehicleStatus.OFFLINE, reason: 'lease expired' }));

    const [offline] = await hooks.requests.waitUntil('offline webhook', (items) => items.length >= 1);
    const data = body(offline!).data;
    assert.deepEqual([data.job.id, data.job.status, (data.vehicle as { id: string }).id], [jobId, 'QUEUED', vehicleId]);
  });

  it('incident.on_route for a closure near an active route, checked from both sides', async () => {
    const { hooks, operatorId } = await subscriber(['incident.*']);
    // A street running east at 60.18 N, and one running north at 24.825 E, crossing it.
    const eastward = [{ lat: 60.18, lon: 24.82 }, { lat: 60.18, lon: 24.83 }];
    const northward = [{ lat: 60.175, lon: 24.825 }, { lat: 60.185, lon: 24.825 }];
    const [k1, k2, k3] = [uniqueName('job-k1'), uniqueName('job-k2'), uniqueName('job-k3')];
    const dispatch = async (jobId: string, route: typeof eastward) => {
      await notify.publishJob(jobEvent(jobId, operatorId, JobStatus.DISPATCHED, JobStatus.ASSIGNED, 4, { vehicleId: `robot-${jobId}` }));
      await notify.tracked(jobId, 4);
      await notify.publishOrder(orderEvent(jobId, `robot-${jobId}`, route));
    };
    const alertsFor = (jobId: string) =>
      hooks.requests.items.filter((r) => body(r).data.job.id === jobId).map((r) => (body(r).data.incident as { id: string }).id);

    await dispatch(k1, eastward);
    const [crossing, hazard, far, later] = ['i-crossing', 'i-hazard', 'i-far', 'i-later'].map(uniqueName) as [string, string, string, string];
    await notify.publishIncident(incident(hazard, { point: { lat: 60.18, lon: 24.822 } }, { kind: IncidentKind.HAZARD }));
    await notify.publishIncident(incident(far, { point: { lat: 60.19, lon: 24.825 } }));
    await notify.publishIncident(incident(crossing, { line: [{ lat: 60.1798, lon: 24.825 }, { lat: 60.1802, lon: 24.825 }] }));
    await hooks.requests.waitFor('closure on k1', (r) => body(r).data.job.id === k1);

    // A route planned after the closure is checked against it too.
    await dispatch(k2, eastward);
    await hooks.requests.waitFor('closure on k2', (r) => body(r).data.job.id === k2);

    // Once withdrawn, the closure no longer concerns new routes through it.
    await notify.publishIncident(incident(crossing, { line: [{ lat: 60.1798, lon: 24.825 }, { lat: 60.1802, lon: 24.825 }] }, { active: false }));
    await waitFor('withdrawn closure forgotten', async () => (await notify.redis.hexists(`${notify.prefix}:incidents`, crossing)) === 0);
    await dispatch(k3, northward);
    await notify.publishIncident(incident(later, { point: { lat: 60.183, lon: 24.8251 } }));
    await hooks.requests.waitFor('later closure on k3', (r) => body(r).data.job.id === k3);

    assert.deepEqual([alertsFor(k1), alertsFor(k2), alertsFor(k3)], [[crossing], [crossing], [later]]);
    const alert = body(hooks.requests.items[0]!);
    assert.equal(alert.type, 'incident.on_route');
    assert.deepEqual(
      { ...(alert.data.incident as Record<string, unknown>), validFrom: undefined },
      {
        id: crossing,
        kind: 'CLOSURE',
        severity: 'HIGH',
        description: `road closed (${crossing})`,
        validFrom: undefined,
        validUntil: null,
        geometry: { type: 'LineString', coordinates: [[24.825, 60.1798], [24.825, 60.1802]] },
      },
    );
  });
});
