/**
 * `npm run bench:dispatch`: routing, N fleet replicas and the recording
 * simulators as separate processes on the real Kafka and Redis; jobs submitted
 * over JobService at a fixed rate, one replica killed (-9) and restarted at the
 * midpoint; a bare gRPC echo as the baseline of the same run. Writes
 * bench/results/dispatch.json and prints the figures against the targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '@kera/testkit';
import { runEchoBaseline } from './baseline.js';
import { createClients, type Clients } from './clients.js';
import { runCredentials } from './credentials.js';
import { acquireInfra, createTopics, removeRunKeys, type Infra } from './infra.js';
import { submitJobs, type Submission } from './load.js';
import { awaitJobsSettled, jobOutcomes, sampleStateAges } from './observe.js';
import { USAGE, UsageError, parseOptions, timeBoundMs, type BenchOptions } from './options.js';
import { routablePlaces, type Place } from './places.js';
import { createProcessGroup, type ProcessGroup } from './processes.js';
import { renderTable } from './report.js';
import { watchStateCounter } from './state-counter.js';
import { summarise, type Observed } from './results.js';
import { simulatorEnv, startFleet, startRouting, type Fleet, type Shared } from './system.js';
import { collectVehicleReports, type VehicleReports } from './vehicle-reports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Resources {
  group: ProcessGroup;
  infra?: Infra;
  fleet?: Fleet;
  clients?: Clients;
  run: string;
}

async function startSimulators(r: Resources, shared: Shared, options: BenchOptions, places: Place[]): Promise<VehicleReports> {
  const per = Math.ceil(options.vehicles / options.sims);
  const sims = Array.from({ length: options.sims }, (_, index) => {
    const count = Math.max(0, Math.min(per, options.vehicles - index * per));
    const robots = Math.round(count * 0.75);
    return r.group.start(`sim-${index}`, 'tools/sim/dist/src/record-main.js', simulatorEnv({ shared, fleet: r.fleet!, index, robots, shuttles: count - robots, places, options }));
  });
  const reports = collectVehicleReports(sims, (why) => say(`simulator failed: ${why}`));
  await reports.allConnected(180_000);
  return reports;
}

/** Kill one replica at `at`, restart it, and wait until every vehicle is connected again. */
async function failover(fleet: Fleet, reports: VehicleReports, at: number): Promise<NonNullable<Observed['failover']>> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
  let killedAt = 0;
  say('kill -9 fleet-0');
  const restartedAt = await fleet.killAndRestart(0, (t) => (killedAt = t));
  say(`fleet-0 ready again after ${restartedAt - killedAt} ms`);
  // Reports taken a second after the kill: by then the simulators have seen their streams close.
  const back = await reports.allConnected(120_000, killedAt + 1_000).then(
    (at) => (say(`all vehicles connected again ${at - killedAt} ms after the kill`), at),
    (err: unknown) => (say(`${String(err)}; the failover window ends here`), Date.now()),
  );
  return { killedAt, restartedAt, recoveredAt: Math.max(restartedAt, back) };
}

async function measure(r: Resources, options: BenchOptions, reports: VehicleReports, places: readonly Place[], operatorId: string) {
  const clients = r.clients!;
  const from = Date.now();
  const sampler = sampleStateAges(clients, r.run, 5_000);
  const counters = watchStateCounter({ opsPorts: () => r.fleet!.replicas.map((x) => x.opsPort), name: options.stateCounter, intervalMs: 1_000 });
  const progress = setInterval(() => say(`${reports.receipts()} orders received by vehicles; ${reports.connected()} vehicles connected`), 10_000);
  const killing = options.kill ? failover(r.fleet!, reports, from + (options.seconds * 1_000) / 2) : undefined;
  say(`submitting ${options.rate} jobs/s for ${options.seconds} s${options.kill ? '; kill -9 of fleet-0 at the midpoint' : ''}`);
  const { submissions, scheduledUntil: to, settled } = await submitJobs({ clients, run: r.run, operatorId, places, rate: options.rate, seconds: options.seconds });
  const stateSamples = await sampler.stop();
  const counted = await counters.stop();
  const failed = await killing;
  await settled;
  say(`submitted ${submissions.length}; draining for up to ${options.drain} s`);
  let saidAt = 0;
  const open = await awaitJobsSettled(clients, operatorId, to + options.drain * 1_000, (n) => {
    if (n === 0 || Date.now() - saidAt < 10_000) return;
    saidAt = Date.now();
    say(`${n >= 1_000 ? '≥ 1,000' : n} jobs still open`);
  });
  clearInterval(progress);
  const jobIds = submissions.flatMap((s) => (s.jobId ? [s.jobId] : []));
  const outcomes = await jobOutcomes(clients, jobIds);
  say(`drain ended with ${open} open jobs`);
  return { submissions, outcomes, stateSamples, statesHandled: counted, failover: failed, load: { from, to }, statesSentPerSecond: (a: number, b: number) => reports.statesSentPerSecond(a, b) };
}

/** One line per job (times in ms since the load started), for finding where slow samples come from. */
function writeLatencyCsv(path: string, o: { submissions: Submission[]; load: { from: number }; failover?: { killedAt: number; recoveredAt: number } | undefined }, reports: VehicleReports): void {
  const at = (t: number | undefined) => (t === undefined ? '' : String(t - o.load.from));
  const lines = o.submissions.map((s) => {
    const receipt = s.jobId ? reports.firstOrderOf(s.jobId) : undefined;
    return [s.index, at(s.submittedAt), at(s.acceptedAt), at(receipt?.receivedAt), receipt ? receipt.receivedAt - s.submittedAt : '', s.attempts, receipt?.vehicleId ?? ''].join(',');
  });
  const window = o.failover ? `# failover window ${at(o.failover.killedAt)}..${at(o.failover.recoveredAt)}\n` : '';
  writeFileSync(path, `${window}index,submittedMs,acceptedMs,receivedMs,latencyMs,attempts,vehicleId\n${lines.join('\n')}\n`);
}

async function benchmark(r: Resources, options: BenchOptions): Promise<ReturnType<typeof summarise>> {
  r.infra = await acquireInfra(ROOT);
  await createTopics(ROOT, r.infra.kafkaBrokers);
  say(`Kafka ${r.infra.kafkaBrokers}, Redis ${r.infra.redisUrl}; run ${r.run}; load average ${load()}`);
  const simProcesses = options.sims;
  const baseline =
    options.baselineSeconds > 0
      ? await runEchoBaseline(r.group, { streams: options.vehicles, processes: simProcesses, channels: options.channels, intervalMs: options.stateIntervalMs, seconds: options.baselineSeconds })
      : null;
  if (baseline) say(`baseline gRPC echo: p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms over ${baseline.messages} round trips`);
  // A key pair of the run's own: fleet verifies with its public half, the simulators sign their vehicles' tokens with the private one.
  const credentials = await runCredentials({ run: r.run, ttlSeconds: timeBoundMs(options) / 1_000 + 600 });
  const shared: Shared = { run: r.run, kafkaBrokers: r.infra.kafkaBrokers, redisUrl: r.infra.redisUrl, logLevel: options.logLevel, credentials };
  const routing = await startRouting(r.group, shared);
  r.fleet = await startFleet(r.group, shared, routing, options);
  r.clients = createClients({ fleetTarget: r.fleet.target, routingAddr: routing.addr, lb: r.fleet.lb, token: credentials.operatorToken });
  const places = await routablePlaces(r.clients);
  say(`routing and ${options.replicas} fleet replica(s) ready (${r.fleet.target}); ${places.length} places route on both profiles`);
  const reports = await startSimulators(r, shared, options, places);
  say(`${options.vehicles} vehicles connected over ${options.sims} simulator(s)`);
  const observed = await measure(r, options, reports, places, credentials.operatorId);
  writeLatencyCsv(join(ROOT, 'bench/results/dispatch-logs', r.run, 'latencies.csv'), observed, reports);
  return summarise({
    ...observed,
    vehicles: options.vehicles,
    replicas: options.replicas,
    rate: options.rate,
    receivedAt: (jobId) => reports.firstOrderOf(jobId)?.receivedAt,
    duplicates: reports.duplicates(),
    baseline,
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const run = uniqueName('bench');
  const group = createProcessGroup({ root: ROOT, logDir: join(ROOT, 'bench/results/dispatch-logs', run) });
  const r: Resources = { group, run };
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      r.clients?.close();
      await group.stopAll(8_000);
      if (r.infra) await removeRunKeys(r.infra.redisUrl, run).catch((err: unknown) => say(`could not remove the run's Redis keys: ${String(err)}`));
      await r.infra?.release();
    })());
  const abort = (why: string, code: number) => {
    say(why);
    void cleanup().finally(() => process.exit(code));
  };
  const bound = setTimeout(() => abort(`time bound of ${timeBoundMs(options) / 1_000} s passed; stopping everything`, 3), timeBoundMs(options));
  process.once('SIGINT', () => abort('interrupted; stopping everything', 130));
  process.once('SIGTERM', () => abort('terminated; stopping everything', 143));
  const startedAt = new Date().toISOString();
  const loadBefore = load();
  try {
    const results = await benchmark(r, options);
    results.details = { ...results.details, run, startedAt, loadAverageBefore: loadBefore, loadAverageAfter: load(), cpus: cpus().length, options };
    const out = resolve(ROOT, options.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\n${renderTable(results)}\n\nresults: ${out}; service logs: bench/results/dispatch-logs/${run}/`);
  } finally {
    clearTimeout(bound);
    await cleanup();
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(err.message ? `${err.message}\n\n${USAGE}` : USAGE);
    process.exit(err.message ? 2 : 0);
  }
  console.error(`bench:dispatch failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
