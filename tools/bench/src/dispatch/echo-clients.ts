/**
 * Baseline echo clients (child process): ECHO_STREAMS streams over
 * ECHO_CHANNELS connections, each sending one message every ECHO_INTERVAL_MS
 * for ECHO_SECONDS, then the round trips go to the parent.
 */
import * as grpc from '@grpc/grpc-js';
import { env, parseConfig } from '@kera/platform';
import { z } from 'zod';
import { EchoClient, echoPayload, sentAtOf, type EchoMessage } from './echo.js';

const config = parseConfig(
  z.object({
    ECHO_TARGET: z.string().min(1),
    ECHO_STREAMS: env.positiveInt(1),
    ECHO_CHANNELS: env.positiveInt(1),
    ECHO_INTERVAL_MS: env.positiveInt(1_000),
    ECHO_SECONDS: env.positiveInt(10),
    ECHO_PAYLOAD_BYTES: env.positiveInt(200),
  }),
);

const channels = Array.from({ length: config.ECHO_CHANNELS }, () => new EchoClient(config.ECHO_TARGET, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
const roundTripsMs: number[] = [];
let errors = 0;
const streams = Array.from({ length: config.ECHO_STREAMS }, (_, i) => {
  const call = (channels[i % channels.length]! as unknown as { chat(): grpc.ClientDuplexStream<Buffer, Buffer> }).chat();
  call.on('data', (message: Buffer) => roundTripsMs.push(performance.now() - sentAtOf(message)));
  call.on('error', () => errors++);
  return call;
});
// Spread the streams' sends over the interval, as vehicles' reports are.
const timers = streams.map((call, i) =>
  setTimeout(() => {
    timers[i] = setInterval(() => call.write(echoPayload(performance.now(), config.ECHO_PAYLOAD_BYTES)), config.ECHO_INTERVAL_MS);
  }, (i * config.ECHO_INTERVAL_MS) / streams.length),
);
setTimeout(() => {
  timers.forEach((t) => clearInterval(t));
  // Let the last replies arrive before reporting.
  setTimeout(() => {
    const message: EchoMessage = { type: 'done', roundTripsMs, errors };
    process.send?.(message, () => {
      streams.forEach((s) => s.cancel());
      channels.forEach((c) => c.close());
      process.exit(0);
    });
  }, 1_000);
}, config.ECHO_SECONDS * 1_000);
process.once('disconnect', () => process.exit(0));
