import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtaChangeCause, JobEventKind, JobStatus, type Job } from '@kera/proto/fleet/v1/jobs';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { Profile } from '@kera/proto/traffic/v1/events';
import {
  enumName,
  etaHistoryView,
  formatEtaHistory,
  formatJob,
  formatJobEvent,
  formatJobs,
  formatSubscription,
  formatVehicles,
  jobEventView,
  jobView,
  subscriptionView,
  table,
  vehicleView,
} from './format.js';

/** The event fields of a status step (no ETA change). */
const statusStep = (previousStatus: JobStatus) => ({ previousStatus, kind: JobEventKind.STATUS_CHANGED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 });

const job = (overrides: Partial<Job> = {}): Job => ({
  id: 'job-1',
  operatorId: 'acme',
  status: JobStatus.DISPATCHED,
  pickup: { lat: 60.185, lon: 24.827 },
  dropoff: { lat: 60.188, lon: 24.833 },
  size: 1,
  priority: 0,
  vehicleId: 'robot-1',
  orderId: 'order-1',
  eta: new Date('2025-05-01T10:04:12Z'),
  reason: '',
  createdAt: new Date('2025-05-01T10:00:00Z'),
  updatedAt: new Date('2025-05-01T10:00:03.250Z'),
  version: 4,
  requestId: 'req-1',
  profiles: [Profile.SIDEWALK],
  waitReason: '',
  ...overrides,
});

describe('views (the --json output)', () => {
  it('names enums, drops empty strings and prints times as ISO 8601', () => {
    const view = jobView(job({ vehicleId: '', reason: '' }));
    assert.equal(view.status, 'DISPATCHED');
    assert.equal(view.vehicleId, undefined);
    assert.equal(view.reason, undefined);
    assert.equal(view.createdAt, '2025-05-01T10:00:00Z');
    assert.equal(view.updatedAt, '2025-05-01T10:00:03.250Z');
    assert.deepEqual(view.pickup, { lat: 60.185, lon: 24.827 });
  });

  it('prints an enum value from a newer contract as UNKNOWN(n)', () => {
    assert.equal(enumName(JobStatus, 42), 'UNKNOWN(42)');
    assert.equal(enumName(JobStatus, JobStatus.UNRECOGNIZED), 'UNKNOWN(-1)');
  });
});

describe('text output', () => {
  it('shows a job as aligned label/value lines', () => {
    const text = formatJob(jobView(job()));
    assert.match(text, /^id +job-1$/m);
    assert.match(text, /^status +DISPATCHED$/m);
    assert.match(text, /^pickup +60\.18500,24\.82700$/m);
    assert.match(text, /^reason +-$/m);
    assert.match(text, /^waiting +-$/m);
    const valueColumns = new Set(text.split('\n').map((line) => line.search(/(?<=\S {2,})\S/)));
    assert.equal(valueColumns.size, 1, 'values start in one column');
  });

  it('lines table columns up under their headers', () => {
    const text = formatJobs([jobView(job()), jobView(job({ id: 'job-22222', status: JobStatus.QUEUED, vehicleId: '' }))]);
    const [header, first, second] = text.split('\n');
    const column = header!.indexOf('STATUS');
    assert.equal(first!.indexOf('DISPATCHED'), column);
    assert.equal(second!.indexOf('QUEUED'), column);
    assert.match(second!, /QUEUED\s+acme\s+60\.18500,24\.82700\s+60\.18800,24\.83300\s+1\s+-\s+/);
    const waiting = formatJobs([jobView(job({ status: JobStatus.QUEUED, vehicleId: '', waitReason: 'no idle sidewalk vehicle connected' }))]);
    assert.match(waiting.split('\n')[1]!, /QUEUED .* no idle sidewalk vehicle connected$/);
    assert.equal(formatJobs([]), '(no jobs)');
    assert.equal(table(['A', 'B'], [['long value', 'x']]), 'A           B\nlong value  x');
  });

  it('prints one watch line per event: time, job, status, vehicle, eta, and a reason when there is one', () => {
    assert.equal(
      formatJobEvent(jobEventView({ job: job(), ...statusStep(JobStatus.ASSIGNED) })),
      '2025-05-01T10:00:03.250Z  job-1  DISPATCHED  vehicle=robot-1  eta=2025-05-01T10:04:12Z',
    );
    const failed = formatJobEvent(jobEventView({ job: job({ status: JobStatus.FAILED, reason: 'vehicle robot-1 went offline' }), ...statusStep(JobStatus.PICKED_UP) }));
    assert.match(failed, /FAILED .* reason="vehicle robot-1 went offline"$/);
  });

  it('prints an ETA change as the old and new ETA with its cause', () => {
    const event = { job: job({ eta: new Date('2025-05-01T10:09:32Z') }), previousStatus: JobStatus.DISPATCHED, kind: JobEventKind.ETA_CHANGED, previousEta: new Date('2025-05-01T10:04:12Z'), etaCause: EtaChangeCause.TRAFFIC, trafficVersion: 7 };
    assert.equal(
      formatJobEvent(jobEventView(event)),
      '2025-05-01T10:00:03.250Z  job-1  ETA_CHANGED  vehicle=robot-1  eta=2025-05-01T10:04:12Z → 2025-05-01T10:09:32Z  cause=traffic',
    );
  });

  it("prints a job's ETA history with each shift and cause; an empty history says why", () => {
    const views = etaHistoryView([
      { eta: new Date('2025-05-01T10:04:12Z'), computedAt: new Date('2025-05-01T10:00:00Z'), cause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 },
      { eta: new Date('2025-05-01T10:09:32Z'), computedAt: new Date('2025-05-01T10:01:00Z'), cause: EtaChangeCause.TRAFFIC, trafficVersion: 7 },
      { eta: new Date('2025-05-01T10:08:02Z'), computedAt: new Date('2025-05-01T10:03:00Z'), cause: EtaChangeCause.PROGRESS, trafficVersion: 7 },
    ]);
    assert.deepEqual(views.map((v) => [v.cause, v.shiftS]), [['ORDER_ACCEPTED', undefined], ['TRAFFIC', 320], ['PROGRESS', -90]]);
    assert.equal(
      formatEtaHistory('job-1', views),
      [
        'COMPUTED AT           ETA                   SHIFT   CAUSE           TRAFFIC VERSION',
        '2025-05-01T10:00:00Z  2025-05-01T10:04:12Z  -       ORDER_ACCEPTED  -',
        '2025-05-01T10:01:00Z  2025-05-01T10:09:32Z  +320 s  TRAFFIC         7',
        '2025-05-01T10:03:00Z  2025-05-01T10:08:02Z  -90 s   PROGRESS        7',
      ].join('\n'),
    );
    assert.match(formatEtaHistory('job-2', []), /no ETA history for job job-2 yet/);
  });

  it('lists vehicles with battery and position', () => {
    const text = formatVehicles([
      vehicleView({
        id: 'robot-1',
        kind: VehicleKind.ROBOT,
        profile: Profile.SIDEWALK,
        capacity: 2,
        batteryPct: 87.4,
        position: { lat: 60.1855, lon: 24.829 },
        headingDeg: 90,
        status: VehicleStatus.EN_ROUTE,
        orderId: 'o1',
        jobId: 'job-1',
        lastSeen: new Date('2025-05-01T10:00:00Z'),
      }),
    ]);
    assert.match(text, /^ID\s+KIND\s+STATUS\s+BATTERY\s+POSITION\s+JOB\s+LAST SEEN$/m);
    assert.match(text, /^robot-1\s+ROBOT\s+EN_ROUTE\s+87%\s+60\.18550,24\.82900\s+job-1\s+2025-05-01T10:00:00Z$/m);
  });

  it('shows the webhook secret once, with a warning', () => {
    const view = subscriptionView({ id: 'sub-1', operatorId: 'acme', url: 'http://localhost:9000/hook', eventTypes: [], createdAt: undefined });
    assert.match(formatSubscription(view), /^events {4}\(all\)$/m);
    assert.match(formatSubscription(view, 's3cret'), /^secret {4}s3cret\n\(the signing secret is shown only now/m);
  });
});
