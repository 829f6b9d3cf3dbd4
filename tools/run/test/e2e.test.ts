/**
 * End to end, as a user meets it: the four services as separate processes on
 * the real broker and Redis (fleet as two replicas behind one address), the simulator's robots on VehicleLink, a job
 * submitted with the operator CLI, webhooks received and verified over HTTP,
 * and an NGSI-LD TrafficFlowObserved entity changing a route's duration.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { bearerInterceptor, createKafka, createLogger, generateKeyPair, issueToken, parseSigningKey, TOPICS, type EventProducer, type Principal } from '@kera/platform';
import { FleetServiceClient, type ListVehiclesResponse } from '@kera/proto/fleet/v1/fleet';
import { JobServiceClient, JobStatus, type GetJobResponse } from '@kera/proto/fleet/v1/jobs';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { SubscriptionServiceClient, type CreateSubscriptionResponse } from '@kera/proto/notify/v1/subscriptions';
import { RoutingServiceClient, type PlanRouteResponse } from '@kera/proto/routing/v1/routing';
import { Profile } from '@kera/proto/traffic/v1/events';
import { Inbox, testInfra, uniqueName, waitFor } from '@kera/testkit';
import { ROOT, launch, serviceSpecs, stopAll, waitReady, type Ports, type Running } from '../src/launcher.js';
import { startRoundRobinProxy, type TcpProxy } from '../src/tcp-proxy.js';
import { startWebhookReceiver, type ReceivedWebhook } from '../src/webhook-receiver.js';

// Demo places in the committed Otaniemi map (services/routing/src/demo-places.ts).
const ROAD_A = { lat: 60.18776, lon: 24.83473 };
const ROAD_B = { lat: 60.18183, lon: 24.82138 };
const OTAKAARI = [
  [24.83425, 60.1875],
  [24.8336, 60.18719],
  [24.83296, 60.18652],
  [24.83235, 60.18613],
];
const PICKUP = { lat: 60.1865, lon: 24.827 };
const DROPOFF = { lat: 60.18926, lon: 24.83495 };

// Fixed ports below Linux's ephemeral range (32768–60999), so no port-0 listener or outgoing
// connection of a test running alongside can take one first.
const PORTS: Ports = {
  routingGrpc: 21151,
  fleetGrpc: 21152,
  notifyGrpc: 21153,
  ingestOps: 9190,
  routingOps: 9191,
  fleetReplicas: [
    { grpc: 21162, ops: 9192 },
    { grpc: 21172, ops: 9194 },
  ],
  notifyOps: 9193,
};

/** The run's own key pair: services trust its public key, the simulator and the test sign with the private one. */
const KEYS = generateKeyPair('e2e');
const tokenFor = (principal: Principal) => issueToken(parseSigningKey(KEYS.signingKey), principal, { issuer: 'kera', audience: 'kera', ttlSeconds: 600 });
const withToken = (principal: Principal): grpc.ClientOptions => ({ interceptors: [bearerInterceptor(() => tokenFor(principal))] });

const call = <Res>(invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => void): Promise<Res> =>
  new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));

describe('Kera end to end', { timeout: 240_000 }, () => {
  const run = uniqueName('e2e');
  const processes: Running[] = [];
  const logs: string[] = [];
  let producer: EventProducer;
  let kafkaBrokers: string;
  let fleetProxy: TcpProxy | undefined;
  let failed = false;
  afterEach((t) => {
    if ('passed' in t && t.passed === false) failed = true;
  });

  before(async () => {
    failed = true; // until the whole system is up
    const infra = await testInfra();
    kafkaBrokers = infra.kafkaBrokers.join(',');
    const shared = { KAFKA_BROKERS: kafkaBrokers, REDIS_URL: infra.redisUrl, LOG_LEVEL: 'info', SHUTDOWN_DEADLINE_MS: '5000', AUTH_PUBLIC_KEYS: KEYS.publicKeys };
    const specs = serviceSpecs(PORTS, shared).map((spec) => ({
      ...spec,
      // Fresh Redis namespaces per run; traffic older than 30 s expires so an
      // earlier run's observations on the same street cannot mask this one's.
      // WEBHOOK_ALLOWED_HOSTS: the test's receiver listens on loopback, which notify refuses unless allowlisted.
      // Fresh consumer groups per run, as on a new deployment (CI's broker is new every time).
      env: {
        ...spec.env,
        REDIS_PREFIX: `${run}:${spec.service ?? spec.name}`,
        DISPATCH_QUEUE: `${run}-dispatch`,
        DISPATCH_RETRY_MS: '500',
        TRAFFIC_FRESHNESS_MS: '30000',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        KAFKA_GROUP_ID: `${run}-notify`,
        INGEST_GROUP_ID: `${run}-ingest`,
        ETA_GROUP_ID: `${run}-fleet-eta`,
      },
    }));
    for (const spec of specs) processes.push(launch(spec, (service, line) => logs.push(`${service} ${line}`)));
    await Promise.all(specs.map((spec, i) => waitReady(processes[i]!, spec.opsPort!, 120_000)));
    fleetProxy = await startRoundRobinProxy({ port: PORTS.fleetGrpc, targets: PORTS.fleetReplicas.map((r) => r.grpc) });
    processes.push(
      launch(
        {
          name: 'sim',
          entry: 'tools/sim/dist/src/main.js',
          env: {
            ...shared,
            FLEET_ADDR: `127.0.0.1:${PORTS.fleetGrpc}`,
            AUTH_SIGNING_KEY: KEYS.signingKey,
            SIM_ROBOTS: '2',
            SIM_SHUTTLES: '1',
            SIM_SPEEDUP: '40',
            SIM_FEED: 'false',
          },
        },
        (service, line) => logs.push(`${service} ${line}`),
      ),
    );
    producer = await createKafka({ brokers: infra.kafkaBrokers, clientId: 'e2e', log: createLogger({ name: 'e2e', level: 'warn' }) }).producer();
    failed = false;
  });

  after(async () => {
    await producer?.close();
    await stopAll(processes.reverse(), 15_000);
    await fleetProxy?.close();
    // Every service's log when a test failed (or on request), so a CI failure can be read without a rerun.
    if (failed || process.env.E2E_SHOW_LOGS === '1') for (const line of logs) console.log(line);
  });

  it('delivers a job submitted with the CLI on a simulated robot, and a receiver gets every signed event in order', async () => {
    const operator = `${run}-operator`;
    let secret = '';
    const webhooks = new Inbox<ReceivedWebhook>();
    const receiver = await startWebhookReceiver({ port: 0, secret: () => secret, onWebhook: webhooks.push });
    const asOperator = withToken({ scope: 'operator', operatorId: operator });
    const subscriptions = new SubscriptionServiceClient(`127.0.0.1:${PORTS.notifyGrpc}`, grpc.credentials.createInsecure(), asOperator);
    const created = await call<CreateSubscriptionResponse>((cb) => subscriptions.createSubscription({ operatorId: '', url: receiver.url, eventTypes: ['job.*'], secret: '' }, cb));
    secret = created.secret;
    subscriptions.close();

    const fleet = new FleetServiceClient(`127.0.0.1:${PORTS.fleetGrpc}`, grpc.credentials.createInsecure(), asOperator);
    await waitFor('a simulated robot reporting IDLE', async () => {
      const { vehicles } = await call<ListVehiclesResponse>((cb) => fleet.listVehicles({}, cb));
      return vehicles.some((v) => v.id.includes('robot') && v.status === VehicleStatus.IDLE && v.position);
    }, { timeoutMs: 30_000 });
    fleet.close();

    const cli = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'tools/cli/dist/src/main.js'), 'jobs', 'submit', '--pickup', `${PICKUP.lat},${PICKUP.lon}`, '--dropoff', `${DROPOFF.lat},${DROPOFF.lon}`, '--json'],
      { env: { ...process.env, FLEET_ADDR: `127.0.0.1:${PORTS.fleetGrpc}`, KERA_TOKEN: await tokenFor({ scope: 'operator', operatorId: operator }) } },
    );
    const job = JSON.parse(cli.stdout) as { id: string; status: string; operatorId: string };
    assert.equal(job.status, 'QUEUED');
    assert.equal(job.operatorId, operator, 'the job belongs to the operator of the token');

    const lifecycle = ['job.created', 'job.queued', 'job.assigned', 'job.dispatched', 'job.picked_up', 'job.delivered'];
    const ofJob = () => webhooks.items.filter((w) => w.body.data.job.id === job.id);
    await webhooks.waitUntil('job.delivered webhook', () => ofJob().some((w) => w.type === 'job.delivered'), 150_000);
    // job.* also brings the job's alerts (job.arriving, job.eta_changed, …), interleaved in order.
    // At-least-once: a retried delivery comes again with the same webhook-id, which receivers dedupe on.
    const received = [...new Map(ofJob().map((w) => [w.id, w.type])).values()].filter((type) => lifecycle.includes(type));
    assert.deepEqual(received, lifecycle, 'every lifecycle webhook, once each, in order');
    assert.ok(ofJob().every((w) => w.signatureValid), 'every webhook verifies with the Standard Webhooks library');
    const delivered = ofJob().at(-1)!.body.data.job;
    assert.match(String(delivered.vehicleId), /robot/);
    await receiver.close();
  });

  it('a TrafficFlowObserved entity on city.ngsi.v1 raises the duration of a route through that street', async () => {
    const routing = new RoutingServiceClient(`127.0.0.1:${PORTS.routingGrpc}`, grpc.credentials.createInsecure());
    const plan = () => call<PlanRouteResponse>((cb) => routing.planRoute({ profile: Profile.ROAD, waypoints: [ROAD_A, ROAD_B], departureTime: new Date() }, cb));
    const before = await plan();

    const entity = {
      id: `urn:ngsi-ld:TrafficFlowObserved:${run}`,
      type: 'TrafficFlowObserved',
      dateObserved: new Date().toISOString(),
      location: { type: 'GeoProperty', value: { type: 'LineString', coordinates: OTAKAARI } },
      averageVehicleSpeed: { type: 'Property', value: 4 },
      intensity: { type: 'Property', value: 120 },
      '@context': ['https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld'],
    };
    await producer.send(TOPICS.cityNgsi.name, [{ key: entity.id, value: Buffer.from(JSON.stringify(entity)) }]);

    const after = await waitFor('a slower route', async () => {
      const p = await plan();
      return p.durationS > before.durationS * 1.1 ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    assert.ok(after.trafficVersion > before.trafficVersion, 'planned on a newer traffic version');
    assert.ok(after.distanceM > 0);
    routing.close();
  });

  it('a fleet replica killed with SIGKILL: the simulated vehicles reconnect through the one fleet address and the next job is delivered', async () => {
    const held = async (opsPort: number): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      return Number(/^fleet_vehicles_connected\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    // The simulator multiplexes its vehicles on one channel, so one replica holds them all.
    const counts = await Promise.all(PORTS.fleetReplicas.map((r) => held(r.ops)));
    const victim = counts.findIndex((n) => n > 0);
    assert.ok(victim >= 0, `a replica holds the simulated vehicles (connected per replica: ${counts.join(', ')})`);
    const doomed = processes.find((p) => p.name === `fleet-${victim + 1}`)!;
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    const survivorOps = PORTS.fleetReplicas[1 - victim]!.ops;
    await waitFor('the simulated vehicles on the surviving replica', async () => (await held(survivorOps)) >= 3, { timeoutMs: 60_000, intervalMs: 250 });
    const cli = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'tools/cli/dist/src/main.js'), 'jobs', 'submit', '--pickup', `${PICKUP.lat},${PICKUP.lon}`, '--dropoff', `${DROPOFF.lat},${DROPOFF.lon}`, '--json'],
      { env: { ...process.env, FLEET_ADDR: `127.0.0.1:${PORTS.fleetGrpc}`, KERA_TOKEN: await tokenFor({ scope: 'operator', operatorId: `${run}-after-kill` }) } },
    );
    const job = JSON.parse(cli.stdout) as { id: string };
    const jobs = new JobServiceClient(`127.0.0.1:${PORTS.fleetGrpc}`, grpc.credentials.createInsecure(), withToken({ scope: 'admin', adminId: 'e2e' }));
    const delivered = await waitFor('the job DELIVERED after the kill', async () => {
      const { job: now } = await call<GetJobResponse>((cb) => jobs.getJob({ jobId: job.id }, cb));
      return now?.status === JobStatus.DELIVERED ? now : undefined;
    }, { timeoutMs: 150_000, intervalMs: 500 });
    assert.match(delivered.vehicleId, /^(robot|shuttle)-\d+$/, 'by a simulated vehicle');
    jobs.close();
  });
});
