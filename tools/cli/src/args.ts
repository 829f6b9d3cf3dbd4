/**
 * `kera <group> <command> [args]` → a typed Command. Pure: no I/O, no
 * clients; everything a user can get wrong is reported here as a UsageError.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  ArgumentError,
  parseInteger,
  parseLatLon,
  parseStatuses,
  parseTime,
  parseWebhookUrl,
  requireText,
  splitList,
  type JobStatusName,
  type LatLon,
} from './values.js';
import { TOKEN_COMMANDS } from './token-args.js';
import type { TokenCommand } from './tokens.js';

export type InstantActionName = 'PAUSE' | 'RESUME' | 'CANCEL_ORDER' | 'STATE_REQUEST';

export type Command =
  | { kind: 'help'; text: string }
  | {
      kind: 'jobs.submit';
      requestId: string | undefined;
      operatorId: string;
      pickup: LatLon;
      dropoff: LatLon;
      size: number;
      priority: number;
      earliestPickup: Date | undefined;
      latestDelivery: Date | undefined;
    }
  | { kind: 'jobs.get'; jobId: string }
  | { kind: 'jobs.eta'; jobId: string }
  | { kind: 'jobs.list'; statuses: JobStatusName[]; operatorId: string; limit: number }
  | { kind: 'jobs.cancel'; jobId: string; reason: string }
  /** jobId '' watches every job. */
  | { kind: 'jobs.watch'; jobId: string }
  | { kind: 'vehicles.list' }
  | { kind: 'vehicles.get'; vehicleId: string }
  | { kind: 'vehicles.action'; vehicleId: string; action: InstantActionName }
  | { kind: 'webhooks.subscribe'; operatorId: string; url: string; eventTypes: string[]; secret: string }
  | { kind: 'webhooks.list'; operatorId: string }
  | { kind: 'webhooks.delete'; subscriptionId: string }
  /** operatorId '' lists every operator's dead letters. */
  | { kind: 'webhooks.dead-letters'; operatorId: string; subscriptionId: string; limit: number }
  | { kind: 'webhooks.replay'; deadLetterId: string; operatorId: string }
  | TokenCommand;

export interface Invocation {
  command: Command;
  /** Machine-readable output. */
  json: boolean;
  /** The bearer token from --token; the caller falls back to KERA_TOKEN. */
  token: string | undefined;
}

/** Wrong arguments: the message and the usage of the command the user was after. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}


export type Values = Record<string, string | boolean | string[] | undefined>;
type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  usage: string;
  summary: string;
  options: Options;
  /** Positional argument names; a trailing `?` marks an optional one. */
  positionals: string[];
  build(values: Values, positionals: string[]): Command;
}

const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

const instantAction = (action: InstantActionName, verb: string): CommandSpec => ({
  usage: `kera vehicles ${verb} <vehicle-id>`,
  summary: `send ${action} to a vehicle`,
  options: {},
  positionals: ['vehicle-id'],
  build: (_v, [vehicleId]) => ({ kind: 'vehicles.action', vehicleId: vehicleId!, action }),
});

const COMMANDS: Record<string, Record<string, CommandSpec>> = {
  jobs: {
    submit: {
      usage:
        'kera jobs submit --pickup LAT,LON --dropoff LAT,LON [--size N] [--priority N] [--operator ID (admins)]\n' +
        '                 [--earliest-pickup ISO] [--latest-delivery ISO] [--request-id ID]',
      summary: 'submit a delivery job (a request id makes a retry safe; one is generated when omitted)',
      options: {
        pickup: { type: 'string' },
        dropoff: { type: 'string' },
        size: { type: 'string' },
        priority: { type: 'string' },
        operator: { type: 'string' },
        'earliest-pickup': { type: 'string' },
        'latest-delivery': { type: 'string' },
        'request-id': { type: 'string' },
      },
      positionals: [],
      build: (v) => {
        const earliestPickup = str(v, 'earliest-pickup');
        const latestDelivery = str(v, 'latest-delivery');
        const size = str(v, 'size');
        const priority = str(v, 'priority');
        return {
          kind: 'jobs.submit',
          requestId: str(v, 'request-id'),
          operatorId: str(v, 'operator') ?? '',
          pickup: parseLatLon('pickup', requireText('--pickup', str(v, 'pickup'))),
          dropoff: parseLatLon('dropoff', requireText('--dropoff', str(v, 'dropoff'))),
          size: size === undefined ? 1 : parseInteger('size', size, { min: 1, max: 1000 }),
          priority: priority === undefined ? 0 : parseInteger('priority', priority, { min: -1000, max: 1000 }),
          earliestPickup: earliestPickup === undefined ? undefined : parseTime('earliest-pickup', earliestPickup),
          latestDelivery: latestDelivery === undefined ? undefined : parseTime('latest-delivery', latestDelivery),
        };
      },
    },
    get: {
      usage: 'kera jobs get <job-id>',
      summary: 'show one job',
      options: {},
      positionals: ['job-id'],
      build: (_v, [jobId]) => ({ kind: 'jobs.get', jobId: jobId! }),
    },
    eta: {
      usage: 'kera jobs eta <job-id>',
      summary: "show a job's ETA history: the first ETA, then each change and its cause (traffic, progress)",
      options: {},
      positionals: ['job-id'],
      build: (_v, [jobId]) => ({ kind: 'jobs.eta', jobId: jobId! }),
    },
    list: {
      usage: 'kera jobs list [--status QUEUED,DISPATCHED] [--operator ID] [--limit N]',
      summary: 'list jobs, newest first',
      options: { status: { type: 'string', multiple: true }, operator: { type: 'string' }, limit: { type: 'string' } },
      positionals: [],
      build: (v) => {
        const limit = str(v, 'limit');
        return {
          kind: 'jobs.list',
          statuses: parseStatuses('status', v.status as string[] | undefined),
          operatorId: str(v, 'operator') ?? '',
          limit: limit === undefined ? 0 : parseInteger('limit', limit, { min: 1, max: 10_000 }),
        };
      },
    },
    cancel: {
      usage: 'kera jobs cancel <job-id> [--reason TEXT]',
      summary: 'cancel a job',
      options: { reason: { type: 'string' } },
      positionals: ['job-id'],
      build: (v, [jobId]) => ({ kind: 'jobs.cancel', jobId: jobId!, reason: str(v, 'reason') ?? 'cancelled by an operator (kera CLI)' }),
    },
    watch: {
      usage: 'kera jobs watch [<job-id>]',
      summary: 'stream job events until Ctrl-C, or until the given job is DELIVERED, FAILED or CANCELLED',
      options: {},
      positionals: ['job-id?'],
      build: (_v, [jobId]) => ({ kind: 'jobs.watch', jobId: jobId ?? '' }),
    },
  },
  vehicles: {
    list: {
      usage: 'kera vehicles list',
      summary: 'list vehicles',
      options: {},
      positionals: [],
      build: () => ({ kind: 'vehicles.list' }),
    },
    get: {
      usage: 'kera vehicles get <vehicle-id>',
      summary: 'show one vehicle',
      options: {},
      positionals: ['vehicle-id'],
      build: (_v, [vehicleId]) => ({ kind: 'vehicles.get', vehicleId: vehicleId! }),
    },
    pause: instantAction('PAUSE', 'pause'),
    resume: instantAction('RESUME', 'resume'),
    'cancel-order': instantAction('CANCEL_ORDER', 'cancel-order'),
    state: instantAction('STATE_REQUEST', 'state'),
  },
  webhooks: {
    subscribe: {
      usage: 'kera webhooks subscribe --url URL [--operator ID (admins)] [--events job.*,job.delivered] [--secret S]',
      summary: 'register a webhook; prints the signing secret once',
      options: { url: { type: 'string' }, operator: { type: 'string' }, events: { type: 'string', multiple: true }, secret: { type: 'string' } },
      positionals: [],
      build: (v) => ({
        kind: 'webhooks.subscribe',
        url: parseWebhookUrl('url', requireText('--url', str(v, 'url'))),
        operatorId: str(v, 'operator') ?? '',
        eventTypes: splitList(v.events as string[] | undefined),
        secret: str(v, 'secret') ?? '',
      }),
    },
    list: {
      usage: 'kera webhooks list [--operator ID (admins)]',
      summary: 'list webhook subscriptions',
      options: { operator: { type: 'string' } },
      positionals: [],
      build: (v) => ({ kind: 'webhooks.list', operatorId: str(v, 'operator') ?? '' }),
    },
    delete: {
      usage: 'kera webhooks delete <subscription-id>',
      summary: 'delete a webhook subscription',
      options: {},
      positionals: ['subscription-id'],
      build: (_v, [subscriptionId]) => ({ kind: 'webhooks.delete', subscriptionId: subscriptionId! }),
    },
    'dead-letters': {
      usage: 'kera webhooks dead-letters [--operator ID] [--subscription ID] [--limit N]',
      summary: 'list webhook deliveries that failed for good, newest first',
      options: { operator: { type: 'string' }, subscription: { type: 'string' }, limit: { type: 'string' } },
      positionals: [],
      build: (v) => {
        const limit = str(v, 'limit');
        return {
          kind: 'webhooks.dead-letters',
          operatorId: str(v, 'operator') ?? '',
          subscriptionId: str(v, 'subscription') ?? '',
          limit: limit === undefined ? 0 : parseInteger('limit', limit, { min: 1, max: 500 }),
        };
      },
    },
    replay: {
      usage: 'kera webhooks replay <dead-letter-id> [--operator ID]',
      summary: 'send a dead letter again, with its original webhook-id',
      options: { operator: { type: 'string' } },
      positionals: ['dead-letter-id'],
      build: (v, [deadLetterId]) => ({ kind: 'webhooks.replay', deadLetterId: deadLetterId!, operatorId: str(v, 'operator') ?? '' }),
    },
  },
  tokens: TOKEN_COMMANDS,
};

export function groupUsage(group: string): string {
  const commands = COMMANDS[group] ?? {};
  const lines = Object.values(commands).map((spec) => `  ${spec.usage.replace(/\n/g, '\n  ')}\n      ${spec.summary}`);
  return `usage:\n${lines.join('\n')}`;
}

export function mainUsage(): string {
  return [
    'kera — operate Kera from the command line',
    '',
    'usage: kera <group> <command> [arguments] [--json]',
    '',
    ...Object.keys(COMMANDS).map((group) => groupUsage(group).replace(/^usage:\n/, '')),
    '',
    'Global: --json prints machine-readable JSON (one object per line for watch); --help shows usage.',
    'Global: --token JWT (or KERA_TOKEN) is the bearer token every call to fleet and notify presents.',
    'Environment: KERA_TOKEN, FLEET_ADDR (default 127.0.0.1:50052), NOTIFY_ADDR (default 127.0.0.1:50053).',
    'Exit codes: 0 ok, 1 the server refused or failed (gRPC status printed), 2 bad arguments.',
  ].join('\n');
}

const GLOBAL_OPTIONS: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, token: { type: 'string' } };

/** Global options before the command: `--json`, `--help`, `--token JWT` / `--token=JWT`. */
function leadingGlobals(argv: readonly string[]): { json: boolean; wantsHelp: boolean; token: string | undefined; rest: string[] } {
  let json = false;
  let wantsHelp = false;
  let token: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') wantsHelp = true;
    else if (arg.startsWith('--token=')) token = arg.slice('--token='.length);
    else if (arg === '--token') {
      token = argv[++i];
      if (token === undefined) throw new UsageError("option '--token <value>' argument missing", mainUsage());
    } else break;
  }
  return { json, wantsHelp, token, rest: argv.slice(i) };
}

/** Throws UsageError; `help` is a command so callers print it to stdout and exit 0. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const { json, wantsHelp, token, rest: commandArgs } = leadingGlobals(argv);
  const [group, name, ...rest] = commandArgs;

  if (group === undefined || group === 'help') {
    if (wantsHelp || group === 'help') return { command: { kind: 'help', text: mainUsage() }, json, token };
    throw new UsageError('no command given', mainUsage());
  }
  const commands = COMMANDS[group];
  if (!commands) throw new UsageError(`unknown command group '${group}'`, mainUsage());
  if (name === undefined || name === '--help' || name === '-h') {
    if (wantsHelp || name !== undefined) return { command: { kind: 'help', text: groupUsage(group) }, json, token };
    throw new UsageError(`kera ${group} needs a command`, groupUsage(group));
  }
  const spec = commands[name];
  if (!spec) throw new UsageError(`unknown command '${group} ${name}'`, groupUsage(group));
  const invocation = parseCommand(spec, wantsHelp ? [...rest, '--help'] : rest);
  return { ...invocation, json: json || invocation.json, token: invocation.token ?? token };
}

function parseCommand(spec: CommandSpec, args: string[]): Invocation {
  const usage = `usage: ${spec.usage}`;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...spec.options, ...GLOBAL_OPTIONS }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), usage);
  }
  const json = parsed.values.json === true;
  const token = str(parsed.values, 'token');
  if (parsed.values.help) return { command: { kind: 'help', text: `${usage}\n  ${spec.summary}` }, json, token };
  const required = spec.positionals.filter((p) => !p.endsWith('?'));
  if (parsed.positionals.length < required.length) {
    throw new UsageError(`missing <${required[parsed.positionals.length]}>`, usage);
  }
  const blank = parsed.positionals.findIndex((p) => p.trim() === '');
  if (blank >= 0) throw new UsageError(`<${spec.positionals[blank]?.replace('?', '')}> must not be empty`, usage);
  if (parsed.positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument '${parsed.positionals[spec.positionals.length]}'`, usage);
  }
  try {
    return { command: spec.build(parsed.values, parsed.positionals), json, token };
  } catch (err) {
    if (err instanceof ArgumentError) throw new UsageError(err.message, usage);
    throw err;
  }
}
