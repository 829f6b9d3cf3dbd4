import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTelemetry, type Telemetry } from '@kera/platform';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { missingAlertMetrics, uniqueName, waitFor } from '@kera/testkit';
import { ScriptedVehicle } from './scripted-vehicle.js';
import { fleetClient, type FleetClient } from './fleet-client.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

describe('fleet /metrics and the alert rules', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let telemetry: Telemetry;
  let sut: FleetUnderTest;
  let client: FleetClient;

  before(async () => {
    routing = await startStraightLineRouting();
    telemetry = startTelemetry({ serviceName: 'fleet' });
    sut = await startFleetUnderTest(routing.address, { RECONCILE_INTERVAL_MS: '3600000' }, undefined, { telemetry });
    client = fleetClient(sut.address);
  });

  after(async () => {
    client.close();
    await sut.stop();
    await telemetry.shutdown();
    routing.close();
  });

  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${sut.fleet.opsPort}/metrics`)).text();

  it('exports every fleet metric the alert rules use, with real values after a dispatch', async () => {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    for (let i = 0; i < 3; i++) robot.report(undefined);
    const job = await client.submit();
    const { commandId } = await robot.nextOrder();
    robot.ack(commandId);
    await waitFor('dispatched', async () => (await client.getJob(job.id)).status === JobStatus.DISPATCHED);
    await sut.fleet.reconcile();

    // The counter says how many reports this replica handled, so a benchmark can tell absorbed from sent.
    const text = await waitFor('three state reports counted', async () => {
      const t = await scrape();
      return /^fleet_vehicle_states_total\{replica="[^"]+"\} 3$/m.test(t) ? t : undefined;
    });
    if (process.env.SHOW_METRICS) process.stdout.write(text);
    assert.deepEqual(await missingAlertMetrics('fleet', text), [], 'every fleet metric an alert uses is exported');

    assert.match(text, /^fleet_job_submit_to_ack_seconds_count(\{[^}]*\})? 1$/m, 'one job acked');
    assert.match(text, /^fleet_jobs\{status="DISPATCHED"\} 1$/m);
    assert.match(text, /^fleet_reconciler_repairs_total\{kind="dispatchEntries"\} 0$/m);
    robot.close();
  });
});
