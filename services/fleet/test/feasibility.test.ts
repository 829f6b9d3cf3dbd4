import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { uniqueName, waitFor } from '@kera/testkit';
import { ScriptedVehicle } from './scripted-vehicle.js';
import { fleetClient, type FleetClient } from './fleet-client.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

/** Report idle at the default position with this battery level. */
function reportBattery(vehicle: ScriptedVehicle, batteryPct: number): void {
  vehicle.send({
    body: {
      $case: 'state',
      value: {
        orderId: '', orderUpdateId: 0, lastNodeId: '', lastNodeSequenceId: 0, driving: false, paused: false,
        position: vehicle.position, headingDeg: 0, batteryPct, charging: false, nodeStates: [], edgeStates: [],
        actionStates: [], errors: [], timestamp: new Date(), status: VehicleStatus.IDLE,
      },
    },
  });
}

describe('fleet: feasible or refused, and why a job waits', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  let client: FleetClient;

  before(async () => {
    routing = await startStraightLineRouting();
    sut = await startFleetUnderTest(routing.address, { RECONCILE_INTERVAL_MS: '3600000' });
    client = fleetClient(sut.address);
  });

  after(async () => {
    client.close();
    await sut.stop();
    routing.close();
  });

  async function connect(capacity: number): Promise<ScriptedVehicle> {
    const vehicle = new ScriptedVehicle(sut.address, uniqueName('robot')).connect({ capacity });
    await vehicle.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    return vehicle;
  }

  const waitReason = (jobId: string, pattern: RegExp) =>
    waitFor(`wait reason ${pattern}`, async () => {
      const job = await client.getJob(jobId);
      return pattern.test(job.waitReason) && job;
    });

  it('says why a queued job waits: no vehicle, then battery, then capacity, on GetJob and ListJobs', async () => {
    const job = await client.submit({ size: 2 });
    assert.equal(job.status, JobStatus.QUEUED);
    await waitReason(job.id, /^no idle sidewalk\/road vehicle connected$/);

    const flat = await connect(4);
    reportBattery(flat, 10);
    await waitReason(job.id, /^battery: all 1 idle sidewalk\/road vehicles are below 20%$/);
    flat.close();

    const small = await connect(1);
    reportBattery(small, 90);
    const waiting = await waitReason(job.id, /^capacity: no idle sidewalk\/road vehicle carries size 2 \(largest idle: 1\)$/);
    const listed = (await client.listJobs({ statuses: [JobStatus.QUEUED] })).find((j) => j.id === job.id);
    assert.equal(listed?.waitReason, waiting.waitReason);
    small.close();
    await client.cancel(job.id);
    assert.equal((await client.getJob(job.id)).waitReason, '', 'a job that no longer waits gives no wait reason');
  });

  it('refuses a size no registered vehicle can carry with FAILED_PRECONDITION naming the largest capacity', async () => {
    const biggest = await connect(4);
    await assert.rejects(client.submit({ size: 999 }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
      assert.match(err.details, /^size 999 exceeds the largest capacity of any registered sidewalk vehicle \(4\)$/);
      return true;
    });
    biggest.close();
  });

  it('fails a job early when no vehicle can meet its latest delivery, with the best achievable time', async () => {
    // Pickup → drop-off is about 330 m at 1.5 m/s: some 220 s, more than the minute allowed.
    const latestDelivery = new Date(Date.now() + 60_000);
    const job = await client.submit({ latestDelivery });
    assert.equal(job.status, JobStatus.FAILED);
    const match = /^latest_delivery (\S+) cannot be met: the earliest possible delivery is (\S+)$/.exec(job.reason);
    assert.ok(match, job.reason);
    assert.equal(match[1], latestDelivery.toISOString());
    const best = Date.parse(match[2]!) - Date.now();
    assert.ok(best > 150_000 && best < 250_000, `best achievable ${best} ms from now`);
  });

  it('holds a job until its earliest pickup, saying so, then sends the vehicle', async () => {
    const robot = await connect(2);
    robot.report(undefined);
    await waitFor('robot idle', async () => (await client.getVehicle(robot.id)).status === VehicleStatus.IDLE);
    const earliestPickup = new Date(Date.now() + 3_000);
    const job = await client.submit({ earliestPickup });
    assert.equal(job.waitReason, `window not open yet: earliest pickup at ${earliestPickup.toISOString()}`);

    const order = await robot.nextOrder();
    assert.equal(order.body.value.jobId, job.id);
    assert.ok(Date.now() >= earliestPickup.getTime(), 'the order is sent once the window opens, not before');
    robot.close();
  });
});
