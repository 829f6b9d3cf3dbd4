/**
 * The CLI end to end against gRPC servers in the test, over real sockets:
 * what the operator types reaches the server, what the server answers is
 * what the operator sees, and errors end with the right exit code.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenVerifier, DEFAULT_TOKEN_AUDIENCE, generateKeyPair, parseVerificationKeys } from '@kera/platform/auth';
import * as grpc from '@grpc/grpc-js';
import { Inbox } from '@kera/testkit';
import { FleetServiceService, type FleetServiceServer, type SendInstantActionRequest } from '@kera/proto/fleet/v1/fleet';
import {
  EtaChangeCause,
  JobEventKind,
  JobServiceService,
  JobStatus,
  type Job,
  type JobServiceServer,
  type ListJobsRequest,
  type SubmitJobRequest,
  type WatchJobsResponse,
} from '@kera/proto/fleet/v1/jobs';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { SubscriptionServiceService, type CreateSubscriptionRequest, type SubscriptionServiceServer } from '@kera/proto/notify/v1/subscriptions';
import { Profile } from '@kera/proto/traffic/v1/events';
import { runCli } from '../src/run.js';

const BIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

const job = (overrides: Partial<Job> = {}): Job => ({
  id: 'job-1',
  operatorId: 'acme',
  status: JobStatus.QUEUED,
  pickup: { lat: 60.185, lon: 24.827 },
  dropoff: { lat: 60.188, lon: 24.833 },
  size: 2,
  priority: 3,
  vehicleId: '',
  orderId: '',
  reason: '',
  createdAt: new Date('2025-05-01T10:00:00Z'),
  updatedAt: new Date('2025-05-01T10:00:00Z'),
  version: 1,
  requestId: 'req-1',
  profiles: [Profile.SIDEWALK],
  waitReason: '',
  ...overrides,
});

/** The event fields of a status step (no ETA change). */
const statusStep = (previousStatus: JobStatus) => ({ previousStatus, kind: JobEventKind.STATUS_CHANGED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 });

const serviceError = (code: grpc.status, details: string) => Object.assign(new Error(details), { code, details });

/** What the fake servers saw, and what they should answer next. */
const seen = {
  submits: [] as SubmitJobRequest[],
  lists: [] as ListJobsRequest[],
  cancels: [] as Array<{ jobId: string; reason: string }>,
  instantActions: [] as SendInstantActionRequest[],
  subscriptions: [] as CreateSubscriptionRequest[],
  deleted: [] as string[],
  deadLetterLists: [] as Array<{ operatorId: string; subscriptionId: string; limit: number }>,
  replays: [] as Array<{ deadLetterId: string; operatorId: string }>,
  watchers: new Inbox<grpc.ServerWritableStream<{ jobId: string }, WatchJobsResponse>>(),
  /** The authorization metadata of every ListJobs call. */
  authorizations: [] as Array<string | undefined>,
};
let currentJob: Job = job();

const jobService: JobServiceServer = {
  submitJob: (call, callback) => {
    seen.submits.push(call.request);
    if (call.request.pickup && call.request.pickup.lat > 61) {
      callback(serviceError(grpc.status.INVALID_ARGUMENT, 'pickup is outside the service area'));
      return;
    }
    callback(null, { job: job({ id: 'job-42', operatorId: call.request.operatorId, size: call.request.size, priority: call.request.priority, pickup: call.request.pickup, dropoff: call.request.dropoff, latestDelivery: call.request.latestDelivery }) });
  },
  getJob: (call, callback) => {
    if (call.request.jobId !== currentJob.id) callback(serviceError(grpc.status.NOT_FOUND, `job ${call.request.jobId} not found`));
    else callback(null, { job: currentJob });
  },
  listJobs: (call, callback) => {
    seen.lists.push(call.request);
    const [authorization] = call.metadata.get('authorization');
    seen.authorizations.push(typeof authorization === 'string' ? authorization : undefined);
    if (!authorization) {
      callback(serviceError(grpc.status.UNAUTHENTICATED, 'missing bearer token (authorization: Bearer <token>)'));
      return;
    }
    callback(null, { jobs: [job(), job({ id: 'job-2', status: JobStatus.DISPATCHED, vehicleId: 'robot-1', eta: new Date('2025-05-01T10:30:00Z') })] });
  },
  cancelJob: (call, callback) => {
    seen.cancels.push(call.request);
    callback(null, { job: job({ id: call.request.jobId, status: JobStatus.CANCELLED, reason: call.request.reason }) });
  },
  getEtaHistory: (call, callback) => {
    if (call.request.jobId !== currentJob.id) return callback(serviceError(grpc.status.NOT_FOUND, `job ${call.request.jobId} not found`));
    callback(null, {
      jobId: currentJob.id,
      records: [
        { eta: new Date('2025-05-01T10:20:00Z'), computedAt: new Date('2025-05-01T10:11:00Z'), cause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 },
        { eta: new Date('2025-05-01T10:26:00Z'), computedAt: new Date('2025-05-01T10:12:30Z'), cause: EtaChangeCause.TRAFFIC, trafficVersion: 12 },
      ],
    });
  },
  watchJobs: (call) => {
    // Like the fleet: headers go out once the watch is in place.
    call.sendMetadata(new grpc.Metadata());
    seen.watchers.push(call);
  },
};

const fleetService: FleetServiceServer = {
  listVehicles: (_call, callback) =>
    callback(null, {
      vehicles: [
        { id: 'robot-1', kind: VehicleKind.ROBOT, profile: Profile.SIDEWALK, capacity: 2, batteryPct: 91.6, position: { lat: 60.1855, lon: 24.829 }, headingDeg: 90, status: VehicleStatus.EN_ROUTE, orderId: 'o1', jobId: 'job-2', lastSeen: new Date('2025-05-01T10:00:00Z') },
      ],
    }),
  getVehicle: (call, callback) => callback(serviceError(grpc.status.NOT_FOUND, `vehicle ${call.request.vehicleId} not found`)),
  sendInstantAction: (call, callback) => {
    seen.instantActions.push(call.request);
    callback(null, { commandId: 'cmd-7' });
  },
};

const subscriptionService: SubscriptionServiceServer = {
  createSubscription: (call, callback) => {
    seen.subscriptions.push(call.request);
    const { operatorId, url, eventTypes } = call.request;
    callback(null, { subscription: { id: 'sub-1', operatorId, url, eventTypes, createdAt: new Date('2025-05-01T10:00:00Z') }, secret: 'generated-secret' });
  },
  listSubscriptions: (_call, callback) => callback(null, { subscriptions: [{ id: 'sub-1', operatorId: 'acme', url: 'http://localhost:9000/hook', eventTypes: ['job.*'] }] }),
  deleteSubscription: (call, callback) => {
    seen.deleted.push(call.request.subscriptionId);
    callback(null, {});
  },
  listDeadLetters: (call, callback) => {
    seen.deadLetterLists.push(call.request);
    const letter = { id: 'evt-9.sub-1', eventId: 'evt-9', eventType: 'job.delivered', subscriptionId: 'sub-1', operatorId: 'acme', jobId: 'job-9' };
    callback(null, { deadLetters: [{ ...letter, reason: 'HTTP 410', attempts: 1, failedAt: new Date('2025-05-01T10:05:00Z'), replays: 0 }] });
  },
  replayDeadLetter: (call, callback) => {
    seen.replays.push(call.request);
    if (call.request.deadLetterId === 'gone') return callback(serviceError(grpc.status.NOT_FOUND, 'dead letter gone not found'));
    callback(null, { deliveryId: `${call.request.deadLetterId}.replay1`, eventId: 'evt-9' });
  },
};

async function serve(add: (server: grpc.Server) => void): Promise<{ server: grpc.Server; addr: string }> {
  const server = new grpc.Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, addr: `127.0.0.1:${port}` };
}

let fleet: { server: grpc.Server; addr: string };
let notify: { server: grpc.Server; addr: string };
const TOKEN = 'eyJ0.eyJz.c2ln';
const env = (): Record<string, string> => ({ FLEET_ADDR: fleet.addr, NOTIFY_ADDR: notify.addr, KERA_TOKEN: TOKEN });

/** In-process run, output collected line by line. */
async function kera(argv: string[], options: { signal?: AbortSignal; lines?: Inbox<string>; env?: Record<string, string | undefined>; cwd?: string } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    env: { ...env(), ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdout: (line) => {
      stdout.push(line);
      options.lines?.push(line);
    },
    stderr: (line) => stderr.push(line),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** The real binary in a child process, as an operator runs it. */
function keraBinary(argv: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env(), ...extraEnv } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('kera CLI against real gRPC servers', () => {
  before(async () => {
    fleet = await serve((s) => {
      s.addService(JobServiceService, jobService);
      s.addService(FleetServiceService, fleetService);
    });
    notify = await serve((s) => s.addService(SubscriptionServiceService, subscriptionService));
  });
  after(() => {
    fleet.server.forceShutdown();
    notify.server.forceShutdown();
  });
  beforeEach(() => {
    currentJob = job();
  });

  it('submits a job: every parsed field reaches the server and the job is printed', async () => {
    const result = await keraBinary([
      'jobs', 'submit', '--pickup', '60.1850,24.8270', '--dropoff', '60.1880,24.8330', '--size', '2', '--priority', '3',
      '--operator', 'acme', '--latest-delivery', '2025-05-01T14:00:00Z', '--request-id', 'req-1',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const request = seen.submits.at(-1)!;
    assert.deepEqual(request, {
      requestId: 'req-1',
      operatorId: 'acme',
      pickup: { lat: 60.185, lon: 24.827 },
      dropoff: { lat: 60.188, lon: 24.833 },
      size: 2,
      priority: 3,
      earliestPickup: undefined,
      latestDelivery: new Date('2025-05-01T14:00:00Z'),
    });
    assert.match(result.stdout, /^id +job-42$/m);
    assert.match(result.stdout, /^status +QUEUED$/m);
    assert.match(result.stdout, /^latest delivery +2025-05-01T14:00:00Z$/m);
  });

  it('generates a fresh request id when none is given', async () => {
    await kera(['jobs', 'submit', '--pickup', '60.185,24.827', '--dropoff', '60.188,24.833']);
    await kera(['jobs', 'submit', '--pickup', '60.185,24.827', '--dropoff', '60.188,24.833']);
    const [a, b] = seen.submits.slice(-2).map((r) => r.requestId);
    assert.match(a!, /^[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
    assert.equal(seen.submits.at(-1)!.operatorId, '', 'the operator comes from the token');
  });

  it('prints the server refusal with its status and exits 1', async () => {
    const result = await keraBinary(['jobs', 'submit', '--pickup', '61.5,24.8', '--dropoff', '60.188,24.833']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), 'error: INVALID_ARGUMENT: pickup is outside the service area');
    assert.equal(result.stdout, '');
  });

  it('exits 2 with the usage on bad arguments, without calling the server', async () => {
    const before = seen.submits.length;
    const result = await keraBinary(['jobs', 'submit', '--pickup', 'somewhere', '--dropoff', '60.188,24.833']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error: --pickup expects LAT,LON/);
    assert.match(result.stderr, /usage: kera jobs submit/);
    assert.equal(seen.submits.length, before);
  });

  it('exits 1 with UNAVAILABLE when the service is not there', async () => {
    const result = await keraBinary(['vehicles', 'list'], { FLEET_ADDR: '127.0.0.1:1' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: UNAVAILABLE/);
  });

  it('lists jobs filtered by status and operator, as a table or as JSON', async () => {
    const table = await kera(['jobs', 'list', '--status', 'QUEUED,DISPATCHED', '--operator', 'acme']);
    assert.equal(table.code, 0);
    assert.deepEqual(seen.lists.at(-1), { statuses: [JobStatus.QUEUED, JobStatus.DISPATCHED], operatorId: 'acme', limit: 0 });
    assert.match(table.stdout, /^ID\s+STATUS\s+OPERATOR/);
    assert.match(table.stdout, /^job-2\s+DISPATCHED\s+acme\s+.*robot-1\s+2025-05-01T10:30:00Z/m);
    const json = await kera(['--json', 'jobs', 'list']);
    const jobs = JSON.parse(json.stdout) as Array<{ id: string; status: string }>;
    assert.deepEqual(jobs.map((j) => [j.id, j.status]), [['job-1', 'QUEUED'], ['job-2', 'DISPATCHED']]);
  });

  it('presents KERA_TOKEN, or --token over it, as a bearer token', async () => {
    await kera(['jobs', 'list']);
    assert.equal(seen.authorizations.at(-1), `Bearer ${TOKEN}`);
    await kera(['jobs', 'list', '--token', 'other.token.here']);
    assert.equal(seen.authorizations.at(-1), 'Bearer other.token.here');
    const result = await keraBinary(['--token', 'lead.ing.token', 'jobs', 'list']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(seen.authorizations.at(-1), 'Bearer lead.ing.token');
  });

  it('says how to get a token when it has none and the server wants one', async () => {
    const result = await kera(['jobs', 'list'], { env: { KERA_TOKEN: undefined } });
    assert.equal(result.code, 1);
    assert.equal(seen.authorizations.at(-1), undefined);
    assert.match(result.stderr, /^error: UNAUTHENTICATED: missing bearer token/);
    assert.match(result.stderr, /set KERA_TOKEN or pass --token/);
  });

  it('generates keys, issues tokens the services accept, and rotates keeping the old public key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kera-cli-'));
    const first = await kera(['tokens', 'keygen', '--kid', 'k1'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(statSync(join(dir, '.kera/signing-key.json')).mode & 0o777, 0o600, 'the private key is readable by its owner only');
    const oldKeys = readFileSync(join(dir, '.kera/public-keys.json'), 'utf8');
    const issued = await kera(['tokens', 'issue', '--operator', 'acme', '--ttl', '1h'], { cwd: dir, env: { AUTH_SIGNING_KEY: undefined } });
    assert.equal(issued.code, 0, issued.stderr);
    const verify = (keys: string, token: string) => createTokenVerifier({ ...DEFAULT_TOKEN_AUDIENCE, keys: parseVerificationKeys(keys) }).verify(token);
    assert.deepEqual(await verify(oldKeys, issued.stdout), { scope: 'operator', operatorId: 'acme' });

    const rotated = await kera(['tokens', 'keygen', '--kid', 'k2'], { cwd: dir });
    assert.match(rotated.stdout, /2 keys/);
    const bothKeys = readFileSync(join(dir, '.kera/public-keys.json'), 'utf8');
    const fresh = await kera(['--json', 'tokens', 'issue', '--vehicle', 'robot-1', '--key', join(dir, '.kera/signing-key.json')], { cwd: dir });
    const { token } = JSON.parse(fresh.stdout) as { token: string };
    assert.deepEqual(await verify(bothKeys, token), { scope: 'vehicle', vehicleId: 'robot-1' });
    assert.deepEqual(await verify(bothKeys, issued.stdout), { scope: 'operator', operatorId: 'acme' }, 'tokens of the old key still pass');
    await assert.rejects(verify(oldKeys, token), /unknown key/);
    rmSync(dir, { recursive: true });
  });

  it('refuses to issue without a signing key, saying where it looked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kera-cli-'));
    const result = await kera(['tokens', 'issue', '--admin'], { cwd: dir, env: { AUTH_SIGNING_KEY: undefined } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no signing key: pass --key FILE, set AUTH_SIGNING_KEY/);
    const publicOnly = await kera(['tokens', 'issue', '--admin'], { cwd: dir, env: { AUTH_SIGNING_KEY: generateKeyPair('x').publicKeys } });
    assert.equal(publicOnly.stderr, 'error: the signing key is a key set (public keys?); give the one private JWK tokens are signed with');
    rmSync(dir, { recursive: true });
  });

  it('gets and cancels a job; NOT_FOUND exits 1', async () => {
    const got = await kera(['jobs', 'get', 'job-1', '--json']);
    assert.equal((JSON.parse(got.stdout) as { status: string }).status, 'QUEUED');
    const missing = await kera(['jobs', 'get', 'job-404']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: NOT_FOUND: job job-404 not found');
    const cancelled = await kera(['jobs', 'cancel', 'job-1', '--reason', 'customer called']);
    assert.deepEqual(seen.cancels.at(-1), { jobId: 'job-1', reason: 'customer called' });
    assert.match(cancelled.stdout, /^status +CANCELLED$/m);
    assert.match(cancelled.stdout, /^reason +customer called$/m);
  });

  it('watches one job from where it stands until it is delivered, then exits 0', async () => {
    currentJob = job({ status: JobStatus.ASSIGNED, vehicleId: 'robot-1' });
    const lines = new Inbox<string>();
    const watching = kera(['jobs', 'watch', 'job-1'], { lines });
    await lines.waitFor('the current state', (l) => / ASSIGNED /.test(l));
    const stream = seen.watchers.items.at(-1)!;
    assert.equal(stream.request.jobId, 'job-1');
    const at = (minute: number) => new Date(`2025-05-01T10:${minute}:00Z`);
    for (const [status, minute] of [[JobStatus.DISPATCHED, 11], [JobStatus.PICKED_UP, 15], [JobStatus.DELIVERED, 20]] as const) {
      stream.write({ event: { ...statusStep(JobStatus.UNSPECIFIED), job: job({ status, vehicleId: 'robot-1', eta: at(20), updatedAt: at(minute) }) } });
    }
    const result = await watching;
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout.split('\n').slice(1), [
      '2025-05-01T10:11:00Z  job-1  DISPATCHED  vehicle=robot-1  eta=2025-05-01T10:20:00Z',
      '2025-05-01T10:15:00Z  job-1  PICKED_UP   vehicle=robot-1  eta=2025-05-01T10:20:00Z',
      '2025-05-01T10:20:00Z  job-1  DELIVERED   vehicle=robot-1  eta=2025-05-01T10:20:00Z',
    ]);
  });

  it("prints a job's ETA history, as a table or as JSON; an unknown job exits 1", async () => {
    currentJob = job({ status: JobStatus.DISPATCHED, vehicleId: 'robot-1' });
    const result = await kera(['jobs', 'eta', 'job-1']);
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout.split('\n'), [
      'COMPUTED AT           ETA                   SHIFT   CAUSE           TRAFFIC VERSION',
      '2025-05-01T10:11:00Z  2025-05-01T10:20:00Z  -       ORDER_ACCEPTED  -',
      '2025-05-01T10:12:30Z  2025-05-01T10:26:00Z  +360 s  TRAFFIC         12',
    ]);
    const json = await kera(['jobs', 'eta', 'job-1', '--json']);
    assert.deepEqual(JSON.parse(json.stdout)[1], { eta: '2025-05-01T10:26:00Z', computedAt: '2025-05-01T10:12:30Z', cause: 'TRAFFIC', trafficVersion: 12, shiftS: 360 });
    const unknown = await kera(['jobs', 'eta', 'job-404']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND: job job-404 not found/);
  });

  it('returns at once when the watched job is already finished', async () => {
    currentJob = job({ status: JobStatus.FAILED, reason: 'no vehicle can reach the pickup' });
    const result = await kera(['jobs', 'watch', 'job-1']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /job-1 {2}FAILED .*reason="no vehicle can reach the pickup"$/);
  });

  it('fails a watch of an unknown job with NOT_FOUND and exit code 1', async () => {
    const result = await kera(['jobs', 'watch', 'job-404']);
    assert.deepEqual([result.code, result.stdout], [1, '']);
    assert.match(result.stderr, /error: NOT_FOUND: job job-404 not found/);
  });

  it('watches all jobs as JSON lines until Ctrl-C', async () => {
    const interrupt = new AbortController();
    const lines = new Inbox<string>();
    const watchersBefore = seen.watchers.items.length;
    const watching = kera(['jobs', 'watch', '--json'], { signal: interrupt.signal, lines });
    const stream = await seen.watchers.waitUntil('the watch call', (items) => items.length > watchersBefore).then((items) => items.at(-1)!);
    stream.write({ event: { ...statusStep(JobStatus.CREATED), job: job({ id: 'job-9' }) } });
    await lines.waitFor('the event', (l) => l.includes('job-9'));
    interrupt.abort();
    const result = await watching;
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), { kind: 'STATUS_CHANGED', previousStatus: 'CREATED', job: jobFields('job-9') });
  });

  it('ends a watch of the real binary on Ctrl-C (SIGINT) with exit code 0', async () => {
    const child = spawn(process.execPath, [BIN, 'jobs', 'watch'], { env: { ...process.env, ...env() } });
    const stderr = new Inbox<string>();
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    await stderr.waitFor('the watch to start', (text) => text.includes('watching all jobs'));
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });

  it('lists vehicles and sends instant actions', async () => {
    const list = await kera(['vehicles', 'list']);
    assert.match(list.stdout, /^robot-1\s+ROBOT\s+EN_ROUTE\s+92%\s+60\.18550,24\.82900\s+job-2/m);
    const paused = await kera(['vehicles', 'pause', 'robot-1']);
    assert.deepEqual(seen.instantActions.at(-1), { vehicleId: 'robot-1', type: InstantActionType.PAUSE });
    assert.equal(paused.stdout, 'sent PAUSE to robot-1 (command cmd-7)');
    await kera(['vehicles', 'cancel-order', 'robot-1']);
    assert.equal(seen.instantActions.at(-1)!.type, InstantActionType.CANCEL_ORDER);
    const missing = await kera(['vehicles', 'get', 'robot-404']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'error: NOT_FOUND: vehicle robot-404 not found']);
  });

  it('manages webhook subscriptions on the notify service', async () => {
    const created = await kera(['webhooks', 'subscribe', '--url', 'http://localhost:9000/hook', '--operator', 'acme', '--events', 'job.*,job.delivered']);
    assert.equal(created.code, 0);
    assert.deepEqual(seen.subscriptions.at(-1), { operatorId: 'acme', url: 'http://localhost:9000/hook', eventTypes: ['job.*', 'job.delivered'], secret: '' });
    assert.match(created.stdout, /^secret +generated-secret$/m);
    const listed = await kera(['webhooks', 'list']);
    assert.match(listed.stdout, /^sub-1\s+acme\s+http:\/\/localhost:9000\/hook\s+job\.\*/m);
    const deleted = await kera(['webhooks', 'delete', 'sub-1']);
    assert.deepEqual(seen.deleted, ['sub-1']);
    assert.equal(deleted.stdout, 'deleted subscription sub-1');
  });

  it('lists and replays webhook dead letters', async () => {
    const listed = await kera(['webhooks', 'dead-letters', '--operator', 'acme', '--limit', '20']);
    assert.equal(listed.code, 0);
    assert.deepEqual(seen.deadLetterLists.at(-1), { operatorId: 'acme', subscriptionId: '', limit: 20 });
    assert.match(listed.stdout, /^evt-9\.sub-1\s+job\.delivered\s+job-9\s+acme\s+1\s+2025-05-01T10:05:00Z\s+HTTP 410$/m);
    const replayed = await kera(['webhooks', 'replay', 'evt-9.sub-1', '--operator', 'acme']);
    assert.deepEqual(seen.replays.at(-1), { deadLetterId: 'evt-9.sub-1', operatorId: 'acme' });
    assert.equal(replayed.stdout, 'replaying evt-9.sub-1 as evt-9.sub-1.replay1 (webhook-id evt-9)');
    const missing = await kera(['webhooks', 'replay', 'gone']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'error: NOT_FOUND: dead letter gone not found']);
  });
});

/** The JSON view of job() with another id, as the CLI prints it. */
function jobFields(id: string) {
  return {
    id,
    status: 'QUEUED',
    operatorId: 'acme',
    pickup: { lat: 60.185, lon: 24.827 },
    dropoff: { lat: 60.188, lon: 24.833 },
    size: 2,
    priority: 3,
    createdAt: '2025-05-01T10:00:00Z',
    updatedAt: '2025-05-01T10:00:00Z',
    version: 1,
  };
}
