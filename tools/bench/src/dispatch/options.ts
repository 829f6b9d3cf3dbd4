/** Command-line options of `npm run bench:dispatch`, checked up front with every problem listed. */
import { parseArgs } from 'node:util';
import { z } from 'zod';

const schema = z.object({
  vehicles: z.coerce.number().int().min(1).max(10_000),
  replicas: z.coerce.number().int().min(1).max(8),
  seconds: z.coerce.number().int().min(5).max(3_600),
  rate: z.coerce.number().positive().max(1_000),
  drain: z.coerce.number().int().min(5).max(3_600),
  sims: z.coerce.number().int().min(0).max(32),
  channels: z.coerce.number().int().min(1).max(64),
  kill: z.boolean(),
  front: z.enum(['tcp', 'addresses']),
  speedup: z.coerce.number().positive().max(1_000),
  stateIntervalMs: z.coerce.number().int().min(100).max(60_000),
  baselineSeconds: z.coerce.number().int().min(0).max(600),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug']),
  stateCounter: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name'),
  out: z.string().min(1),
  cpuProf: z.boolean(),
});

export type BenchOptions = z.infer<typeof schema>;

export const USAGE = `npm run bench:dispatch -- [options]
  --vehicles N          simulated vehicles (1000)
  --replicas N          fleet replicas, separate processes (2)
  --seconds N           seconds of job submission (60)
  --rate N              jobs submitted per second (50)
  --drain N             seconds after submission for jobs to finish (180)
  --sims N              simulator processes (0 = one per 500 vehicles)
  --channels N          connections per simulator, so a TCP front spreads vehicles (8)
  --no-kill             do not kill -9 a fleet replica at the midpoint
  --front tcp|addresses one TCP round-robin address, or every replica's address with gRPC round_robin (tcp)
  --speedup N           simulated seconds per second (200: a delivery takes seconds, so vehicles are not what runs out)
  --state-interval-ms N how often every vehicle reports state (1000)
  --baseline-seconds N  seconds of the gRPC echo baseline (15; 0 skips it)
  --log-level L         the services' log level (warn)
  --state-counter NAME  fleet's counter of handled state messages on /metrics (fleet_vehicle_states_total)
  --out PATH            results file (bench/results/dispatch.json)
  --cpu-prof            fleet replicas write V8 CPU profiles (node --cpu-prof) into the run's log folder
                        when they stop (a replica killed with -9 writes none)
Smoke run: --vehicles 50 --seconds 10`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      vehicles: { type: 'string', default: '1000' },
      replicas: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '60' },
      rate: { type: 'string', default: '50' },
      drain: { type: 'string', default: '180' },
      sims: { type: 'string', default: '0' },
      channels: { type: 'string', default: '8' },
      'no-kill': { type: 'boolean', default: false },
      front: { type: 'string', default: 'tcp' },
      speedup: { type: 'string', default: '200' },
      'state-interval-ms': { type: 'string', default: '1000' },
      'baseline-seconds': { type: 'string', default: '15' },
      'log-level': { type: 'string', default: 'warn' },
      'state-counter': { type: 'string', default: 'fleet_vehicle_states_total' },
      out: { type: 'string', default: 'bench/results/dispatch.json' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  const parsed = schema.safeParse({
    ...values,
    kill: !values['no-kill'],
    stateIntervalMs: values['state-interval-ms'],
    baselineSeconds: values['baseline-seconds'],
    logLevel: values['log-level'],
    stateCounter: values['state-counter'],
    cpuProf: values['cpu-prof'],
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n'));
  const options = parsed.data;
  return { ...options, sims: options.sims || Math.ceil(options.vehicles / 500) };
}

export class UsageError extends Error {}

/** An upper bound on the whole run, after which everything is killed. */
export function timeBoundMs(o: BenchOptions): number {
  const setupS = 300;
  return (setupS + o.baselineSeconds + o.seconds + o.drain + 60) * 1_000;
}
