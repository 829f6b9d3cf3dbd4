/** Baseline echo server (child process): answers every message on every stream, tells its parent its port. */
import * as grpc from '@grpc/grpc-js';
import { ECHO_SERVICE, type EchoMessage } from './echo.js';

const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1 });
server.addService(ECHO_SERVICE, {
  chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (message: Buffer) => call.write(message));
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`echo server failed to bind: ${err.message}\n`);
    process.exit(1);
  }
  const message: EchoMessage = { type: 'listening', port };
  process.send?.(message);
});
process.once('disconnect', () => server.forceShutdown());
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
