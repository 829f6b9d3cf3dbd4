/**
 * The simulator in recording mode, for benchmarks: a virtual fleet like
 * main.ts (no city feed) that reports to its parent process over IPC, every
 * SIM_REPORT_MS, each order received (job, order, update, receive time,
 * executed or a recognised resend), how many state messages it sent and how
 * many vehicles are connected. Start it with child_process.fork; it stops when
 * the parent goes away.
 */
import { createLogger, createShutdown, crashOnUnexpected, env, parseConfig } from '@kera/platform';
import { z } from 'zod';
import type { LatLon } from './vehicles/geo.js';
import { vehicleSimConfigSchema } from './vehicles/config.js';
import { issueVehicleTokens, startFleetSim } from './vehicles/index.js';
import { benchFleet } from './recording/bench-fleet.js';
import { createOrderLog } from './recording/order-log.js';
import type { SimMessage } from './recording/protocol.js';

const places = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })).min(1));

const configSchema = z.object({
  ...vehicleSimConfigSchema,
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_DEADLINE_MS: env.positiveInt(5_000),
  /** Any gRPC target: host:port, or ipv4:host:port,host:port with SIM_LB=round_robin. */
  FLEET_ADDR: z.string().min(1),
  SIM_LB: z.enum(['pick_first', 'round_robin']).default('pick_first'),
  /** Vehicle ids start with this, so several simulators (and runs) never share an id. */
  SIM_ID_PREFIX: z.string().regex(/^[A-Za-z0-9._:-]{1,40}$/),
  /** JSON [{lat, lon}, …]: where the vehicles stand, in turn. */
  SIM_PLACES: places,
  SIM_REPORT_MS: env.positiveInt(1_000),
  /** Connections to spread the vehicles over, so a TCP load balancer in front of fleet spreads them too. */
  SIM_CHANNELS: env.positiveInt(1),
}).superRefine((config, ctx) => {
  if (!config.AUTH_SIGNING_KEY) ctx.addIssue({ code: 'custom', path: ['AUTH_SIGNING_KEY'], message: 'required to issue the vehicles their tokens' });
});

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('record-main reports over IPC: start it with child_process.fork');
  const config = parseConfig(configSchema);
  const log = createLogger({ name: 'sim-record', level: config.LOG_LEVEL });
  const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  crashOnUnexpected(log, shutdown);
  shutdown.installSignalHandlers();

  const orders = createOrderLog();
  const vehicles = benchFleet({ prefix: config.SIM_ID_PREFIX, robots: config.SIM_ROBOTS, shuttles: config.SIM_SHUTTLES, places: config.SIM_PLACES as LatLon[] });
  const key = config.AUTH_SIGNING_KEY!;
  const token = await issueVehicleTokens(vehicles, { key, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ttlSeconds: config.SIM_TOKEN_TTL_S });
  const fleet = startFleetSim({
    fleetAddr: config.FLEET_ADDR,
    vehicles,
    speedup: config.SIM_SPEEDUP,
    token,
    tickMs: config.SIM_TICK_MS,
    log,
    observer: orders,
    channels: config.SIM_CHANNELS,
    channelOptions: { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [config.SIM_LB]: {} }] }) },
  });
  const report = () => {
    const { receipts, statesSent } = orders.drain();
    const connected = fleet.vehicles.filter((v) => v.isConnected()).length;
    const message: SimMessage = { type: 'report', receipts, statesSent, connected, vehicles: fleet.vehicles.length, at: Date.now() };
    send(message);
  };
  const timer = setInterval(report, config.SIM_REPORT_MS);
  shutdown.add('virtual fleet', async () => {
    clearInterval(timer);
    await fleet.stop();
  });
  // No parent, nobody to report to: stop rather than linger as an orphan.
  process.once('disconnect', () => void shutdown.run('parent gone').then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`sim-record failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
