/**
 * The baseline: a bare gRPC bidirectional echo (@grpc/grpc-js, no Kera code)
 * with the same number of streams and the same message rate as the vehicles'
 * state reports. Run as two child entry points (echo-server.ts, echo-clients.ts).
 */
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer) => b;

export const ECHO_SERVICE: grpc.ServiceDefinition = {
  chat: {
    path: '/kera.bench.Echo/Chat',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'chat',
  },
};

export const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');

/** A message about the size of a vehicle state report, carrying its send time. */
export function echoPayload(sentAt: number, bytes: number): Buffer {
  const payload = Buffer.alloc(Math.max(8, bytes));
  payload.writeDoubleLE(sentAt, 0);
  return payload;
}

export const sentAtOf = (payload: Buffer): number => payload.readDoubleLE(0);

/** Messages between the harness and the echo children. */
export type EchoMessage = { type: 'listening'; port: number } | { type: 'done'; roundTripsMs: number[]; errors: number };
