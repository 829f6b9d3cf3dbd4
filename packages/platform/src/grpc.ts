import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import type { Logger } from 'pino';
import { isKeraError, type ErrorCode } from './errors.js';
import { serverCredentials, type ServerTlsFiles } from './tls.js';

const statusByCode: Record<ErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  CONFIG: grpc.status.INTERNAL,
};

/** Map an error to a gRPC status once, at the edge. Unknown errors become INTERNAL without details. */
export function toServiceError(err: unknown, log: Logger): Partial<grpc.ServiceError> {
  if (isKeraError(err)) return { code: statusByCode[err.code], details: err.message };
  log.error({ err }, 'unexpected error in gRPC handler');
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

/** Wrap an async unary implementation so errors map to precise statuses. */
export function unary<Req, Res>(
  log: Logger,
  impl: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    impl(call.request, call).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toServiceError(err, log) as grpc.ServiceError),
    );
  };
}

/** The .proto sources shipped in @kera/proto, for reflection. */
function protoRoot(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@kera/proto/package.json'));
}

function listProtoFiles(root: string, dir = join(root, 'kera')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listProtoFiles(root, path);
    return name.endsWith('.proto') ? [path.slice(root.length + 1)] : [];
  });
}

export interface GrpcServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  /** Binds and starts; returns the bound port (useful with port 0). */
  listen(address: string): Promise<number>;
  setServing(serving: boolean): void;
  /** NOT_SERVING, stop accepting, let in-flight calls finish until the deadline, then force. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * A gRPC server that also serves grpc.health.v1 and server reflection.
 * `services` are the fully qualified service names this server implements.
 * `tls` (the service's GRPC_TLS_* config) turns on TLS, and mTLS with a client CA.
 */
export function createGrpcServer(options: { log: Logger; services: string[]; tls?: ServerTlsFiles }): GrpcServer {
  const credentials = serverCredentials(options.tls);
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, 'grpc.keepalive_time_ms': 20_000 });
  const statusMap: ServingStatusMap = { '': 'NOT_SERVING' };
  for (const name of options.services) statusMap[name] = 'NOT_SERVING';
  const health = new HealthImplementation(statusMap);
  health.addToServer(server);

  const root = protoRoot();
  const definitions = loadSync(listProtoFiles(root), { includeDirs: [root], keepCase: false });
  new ReflectionService(definitions).addToServer(server);

  const setServing = (serving: boolean) => {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    for (const name of Object.keys(statusMap)) health.setStatus(name, status);
  };

  return {
    server,
    health,
    setServing,
    listen: (address) =>
      new Promise((resolve, reject) => {
        server.bindAsync(address, credentials, (err, port) => {
          if (err) reject(err);
          else {
            options.log.info({ address, port, tls: options.tls?.GRPC_TLS_CERT ? (options.tls.GRPC_TLS_CLIENT_CA ? 'mtls' : 'tls') : 'off' }, 'gRPC listening');
            resolve(port);
          }
        });
      }),
    close: (deadlineMs) =>
      new Promise<void>((resolve) => {
        setServing(false);
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, deadlineMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

