/**
 * The baseline of the run: a bare gRPC bidirectional echo on this machine,
 * with as many streams as vehicles, spread over as many client processes and
 * connections as the simulators use, each stream sending at the state-report rate.
 */
import type { EchoMessage } from './echo.js';
import { nextMessage, type ProcessGroup } from './processes.js';
import { quantile, round1 } from './stats.js';

export interface Baseline {
  p50Ms: number | null;
  p99Ms: number | null;
  messages: number;
  errors: number;
}

export async function runEchoBaseline(group: ProcessGroup, o: { streams: number; processes: number; channels: number; intervalMs: number; seconds: number }): Promise<Baseline> {
  const server = group.start('echo-server', 'tools/bench/dist/src/dispatch/echo-server.js', {});
  const listening = await nextMessage<EchoMessage>(server);
  if (listening.type !== 'listening') throw new Error('echo server did not report its port');
  const perProcess = Math.ceil(o.streams / o.processes);
  const clients = Array.from({ length: o.processes }, (_, i) =>
    group.start(`echo-clients-${i}`, 'tools/bench/dist/src/dispatch/echo-clients.js', {
      ECHO_TARGET: `127.0.0.1:${listening.port}`,
      ECHO_STREAMS: String(Math.max(1, Math.min(perProcess, o.streams - i * perProcess))),
      ECHO_CHANNELS: String(o.channels),
      ECHO_INTERVAL_MS: String(o.intervalMs),
      ECHO_SECONDS: String(o.seconds),
    }),
  );
  const results = await Promise.all(
    clients.map(async (c) => {
      const message = await nextMessage<EchoMessage>(c);
      if (message.type !== 'done') throw new Error(`${c.name} sent ${message.type}`);
      return message;
    }),
  );
  await Promise.all([...clients, server].map((c) => group.kill9(c)));
  const roundTrips = results.flatMap((r) => r.roundTripsMs);
  return {
    p50Ms: round1(quantile(roundTrips, 0.5)),
    p99Ms: round1(quantile(roundTrips, 0.99)),
    messages: roundTrips.length,
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}
