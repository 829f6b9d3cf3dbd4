/**
 * Runs one CLI invocation: parse, call, print. Returns the exit code:
 * 0 done, 1 the server said no (or could not be reached), 2 bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus, type StatusObject } from '@grpc/grpc-js';
import { EtaChangeCause, JobEventKind, JobStatus, type Job, type JobEvent, type WatchJobsResponse } from '@kera/proto/fleet/v1/jobs';
import { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { parseInvocation, UsageError, type Command, type InstantActionName } from './args.js';
import { createClients, describeServiceError, isServiceError, unary, type KeraClients } from './clients.js';
import {
  etaHistoryView,
  formatEtaHistory,
  formatJob,
  formatJobEvent,
  formatJobs,
  formatSubscription,
  formatSubscriptions,
  deadLetterView,
  formatDeadLetters,
  formatVehicle,
  formatVehicles,
  jobEventView,
  jobView,
  subscriptionView,
  vehicleView,
} from './format.js';
import { runTokenCommand, TokenCommandError, type TokenCommand } from './tokens.js';
import { TERMINAL_STATUSES, type JobStatusName } from './values.js';

export interface CliIO {
  env: Readonly<Record<string, string | undefined>>;
  /** Receives whole lines without the trailing newline. */
  stdout(line: string): void;
  stderr(line: string): void;
  /** Aborted on Ctrl-C: ends `jobs watch`. */
  signal?: AbortSignal;
  /** Where `tokens` commands look for the demo key and write new ones; defaults to process.cwd(). */
  cwd?: string;
}

const DEADLINE_MS = 10_000;

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`error: ${err.message}\n\n${err.usage}`);
    return 2;
  }
  const { command, json } = invocation;
  if (command.kind === 'help') {
    io.stdout(command.text);
    return 0;
  }
  if (isTokenCommand(command)) return runLocal(command, io, json);
  const token = invocation.token || io.env.KERA_TOKEN || undefined;
  const clients = createClients({
    fleetAddr: io.env.FLEET_ADDR || '127.0.0.1:50052',
    notifyAddr: io.env.NOTIFY_ADDR || '127.0.0.1:50053',
    token,
    ca: io.env.KERA_CA || undefined,
  });
  const print = (view: unknown, text: string) => io.stdout(json ? JSON.stringify(view, null, 2) : text);
  try {
    return await execute(command, clients, { ...io, print, json });
  } catch (err) {
    if (isServiceError(err)) io.stderr(`error: ${describeServiceError(err)}${err.code === grpcStatus.UNAUTHENTICATED && !token ? NO_TOKEN_HINT : ''}`);
    else if (err instanceof ProtocolError) io.stderr(`error: ${err.message}`);
    else throw err;
    return 1;
  } finally {
    clients.close();
  }
}

const NO_TOKEN_HINT = '\n  set KERA_TOKEN or pass --token (npm start prints demo tokens; kera tokens issue --operator ID makes one)';

const isTokenCommand = (command: Command): command is TokenCommand => command.kind === 'tokens.issue' || command.kind === 'tokens.keygen';

async function runLocal(command: TokenCommand, io: CliIO, json: boolean): Promise<number> {
  try {
    return await runTokenCommand(command, { ...io, cwd: io.cwd ?? process.cwd() }, json);
  } catch (err) {
    if (!(err instanceof TokenCommandError)) throw err;
    io.stderr(`error: ${err.message}`);
    return 1;
  }
}

interface Output extends CliIO {
  json: boolean;
  print(view: unknown, text: string): void;
}

const statusValue: Record<JobStatusName, JobStatus> = {
  CREATED: JobStatus.CREATED,
  QUEUED: JobStatus.QUEUED,
  ASSIGNED: JobStatus.ASSIGNED,
  DISPATCHED: JobStatus.DISPATCHED,
  PICKED_UP: JobStatus.PICKED_UP,
  DELIVERED: JobStatus.DELIVERED,
  FAILED: JobStatus.FAILED,
  CANCELLED: JobStatus.CANCELLED,
};

const actionValue: Record<InstantActionName, InstantActionType> = {
  PAUSE: InstantActionType.PAUSE,
  RESUME: InstantActionType.RESUME,
  CANCEL_ORDER: InstantActionType.CANCEL_ORDER,
  STATE_REQUEST: InstantActionType.STATE_REQUEST,
};

/** The server answered OK but broke the contract. */
class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** A job in the response is part of the contract; its absence is the server's bug, reported as such. */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ProtocolError(`the server answered without a ${what}`);
  return value;
}

type Runnable = Exclude<Command, { kind: 'help' } | TokenCommand>;
type Handlers = { [K in Runnable['kind']]: (command: Extract<Runnable, { kind: K }>, c: KeraClients, out: Output) => Promise<number> };

/** One handler per command; the mapped type makes the compiler insist on every command. */
const handlers: Handlers = {
  'jobs.submit': async (command, c, out) => {
    const request = {
      requestId: command.requestId ?? randomUUID(),
      operatorId: command.operatorId,
      pickup: command.pickup,
      dropoff: command.dropoff,
      size: command.size,
      priority: command.priority,
      earliestPickup: command.earliestPickup,
      latestDelivery: command.latestDelivery,
    };
    const { job } = await unary(c.jobs.submitJob.bind(c.jobs), request, DEADLINE_MS);
    return printJob(required(job, 'job'), out);
  },
  'jobs.get': async (command, c, out) => {
    const { job } = await unary(c.jobs.getJob.bind(c.jobs), { jobId: command.jobId }, DEADLINE_MS);
    return printJob(required(job, 'job'), out);
  },
  'jobs.eta': async (command, c, out) => {
    const { records } = await unary(c.jobs.getEtaHistory.bind(c.jobs), { jobId: command.jobId }, DEADLINE_MS);
    const views = etaHistoryView(records);
    out.print(views, formatEtaHistory(command.jobId, views));
    return 0;
  },
  'jobs.list': async (command, c, out) => {
    const request = { statuses: command.statuses.map((s) => statusValue[s]), operatorId: command.operatorId, limit: command.limit };
    const views = (await unary(c.jobs.listJobs.bind(c.jobs), request, DEADLINE_MS)).jobs.map(jobView);
    out.print(views, formatJobs(views));
    return 0;
  },
  'jobs.cancel': async (command, c, out) => {
    const { job } = await unary(c.jobs.cancelJob.bind(c.jobs), { jobId: command.jobId, reason: command.reason }, DEADLINE_MS);
    return printJob(required(job, 'job'), out);
  },
  'jobs.watch': (command, c, out) => watchJobs(c, command.jobId, out),
  'vehicles.list': async (_command, c, out) => {
    const views = (await unary(c.fleet.listVehicles.bind(c.fleet), {}, DEADLINE_MS)).vehicles.map(vehicleView);
    out.print(views, formatVehicles(views));
    return 0;
  },
  'vehicles.get': async (command, c, out) => {
    const { vehicle } = await unary(c.fleet.getVehicle.bind(c.fleet), { vehicleId: command.vehicleId }, DEADLINE_MS);
    const view = vehicleView(required(vehicle, 'vehicle'));
    out.print(view, formatVehicle(view));
    return 0;
  },
  'vehicles.action': async (command, c, out) => {
    const request = { vehicleId: command.vehicleId, type: actionValue[command.action] };
    const { commandId } = await unary(c.fleet.sendInstantAction.bind(c.fleet), request, DEADLINE_MS);
    out.print({ vehicleId: command.vehicleId, action: command.action, commandId }, `sent ${command.action} to ${command.vehicleId} (command ${commandId})`);
    return 0;
  },
  'webhooks.subscribe': async (command, c, out) => {
    const request = { operatorId: command.operatorId, url: command.url, eventTypes: command.eventTypes, secret: command.secret };
    const { subscription, secret } = await unary(c.subscriptions.createSubscription.bind(c.subscriptions), request, DEADLINE_MS);
    const view = subscriptionView(required(subscription, 'subscription'));
    out.print({ ...view, secret }, formatSubscription(view, secret));
    return 0;
  },
  'webhooks.list': async (command, c, out) => {
    const request = { operatorId: command.operatorId };
    const views = (await unary(c.subscriptions.listSubscriptions.bind(c.subscriptions), request, DEADLINE_MS)).subscriptions.map(subscriptionView);
    out.print(views, formatSubscriptions(views));
    return 0;
  },
  'webhooks.delete': async (command, c, out) => {
    await unary(c.subscriptions.deleteSubscription.bind(c.subscriptions), { subscriptionId: command.subscriptionId }, DEADLINE_MS);
    out.print({ deleted: command.subscriptionId }, `deleted subscription ${command.subscriptionId}`);
    return 0;
  },
  'webhooks.dead-letters': async (command, c, out) => {
    const request = { operatorId: command.operatorId, subscriptionId: command.subscriptionId, limit: command.limit };
    const response = await unary(c.subscriptions.listDeadLetters.bind(c.subscriptions), request, DEADLINE_MS);
    const views = response.deadLetters.map(deadLetterView);
    out.print(views, formatDeadLetters(views));
    return 0;
  },
  'webhooks.replay': async (command, c, out) => {
    const request = { deadLetterId: command.deadLetterId, operatorId: command.operatorId };
    const replay = await unary(c.subscriptions.replayDeadLetter.bind(c.subscriptions), request, DEADLINE_MS);
    out.print(replay, `replaying ${command.deadLetterId} as ${replay.deliveryId} (webhook-id ${replay.eventId})`);
    return 0;
  },
};

function printJob(job: Job, out: Output): number {
  const view = jobView(job);
  out.print(view, formatJob(view));
  return 0;
}

function execute<K extends Runnable['kind']>(command: Extract<Runnable, { kind: K }>, c: KeraClients, out: Output): Promise<number> {
  const handler = handlers[command.kind as K] as Handlers[K];
  return handler(command, c, out);
}

/**
 * Stream job events. For one job: print where it stands now, then its
 * changes, and stop once it can no longer change. The current state is read
 * after the server confirmed the watch (its headers), so no change falls
 * between the two.
 */
function watchJobs(c: KeraClients, jobId: string, out: Output): Promise<number> {
  const call = c.jobs.watchJobs({ jobId });
  let endedByUs = false;
  let closed = false;
  let seenEvent = false;
  let exitCode = 0;
  const finish = () => {
    endedByUs = true;
    call.cancel();
  };
  const show = (event: JobEvent) => {
    const view = jobEventView(event);
    out.stdout(out.json ? JSON.stringify(view) : formatJobEvent(view));
    if (jobId && view.job?.id === jobId && TERMINAL_STATUSES.has(view.job.status as JobStatusName)) finish();
  };
  const fail = (err: unknown) => {
    out.stderr(`error: ${isServiceError(err) ? describeServiceError(err) : String(err)}`);
    exitCode = 1;
    finish();
  };

  if (!out.json) out.stderr(jobId ? `watching job ${jobId} (Ctrl-C to stop)` : 'watching all jobs (Ctrl-C to stop)');
  out.signal?.addEventListener('abort', finish, { once: true });
  call.on('data', (response: WatchJobsResponse) => {
    if (!response.event) return;
    seenEvent = true;
    show(response.event);
  });
  call.on('metadata', () => {
    if (!jobId || closed) return;
    unary(c.jobs.getJob.bind(c.jobs), { jobId }, DEADLINE_MS).then(({ job }) => {
      if (job && !seenEvent && !closed) show({ job, previousStatus: JobStatus.UNSPECIFIED, kind: JobEventKind.UNSPECIFIED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 });
    }, fail);
  });
  call.on('error', () => undefined); // the outcome arrives as 'status'
  return new Promise<number>((resolve) => {
    call.on('status', (status: StatusObject) => {
      closed = true;
      out.signal?.removeEventListener('abort', finish);
      if (status.code === grpcStatus.OK || (endedByUs && status.code === grpcStatus.CANCELLED)) return resolve(exitCode);
      out.stderr(`error: ${describeServiceError(status)}`);
      resolve(1);
    });
  });
}
