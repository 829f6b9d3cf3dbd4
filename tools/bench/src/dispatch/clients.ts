/**
 * Every gRPC client of the benchmark is built here, so credentials change in
 * one place: when the services require tokens, set BENCH_TOKEN (an operator or
 * admin JWT) and every call carries `authorization: Bearer …`; vehicles get
 * theirs through the simulator's FLEET_TOKEN (see simulatorEnv in main.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { FleetServiceClient } from '@kera/proto/fleet/v1/fleet';
import { JobServiceClient } from '@kera/proto/fleet/v1/jobs';
import { RoutingServiceClient } from '@kera/proto/routing/v1/routing';

export type LoadBalancing = 'pick_first' | 'round_robin';

export interface Clients {
  jobs: JobServiceClient;
  fleet: FleetServiceClient;
  routing: RoutingServiceClient;
  close(): void;
}

/** Adds the bearer token to every call's metadata; tokens never appear in logs or results. */
function bearer(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

export function channelOptions(lb: LoadBalancing): grpc.ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [lb]: {} }] }),
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  };
}

export function createClients(options: { fleetTarget: string; routingAddr: string; lb: LoadBalancing; token?: string }): Clients {
  const credentials = grpc.credentials.createInsecure();
  const interceptors = options.token ? [bearer(options.token)] : [];
  const fleetOptions = { ...channelOptions(options.lb), interceptors };
  const jobs = new JobServiceClient(options.fleetTarget, credentials, fleetOptions);
  const fleet = new FleetServiceClient(options.fleetTarget, credentials, fleetOptions);
  const routing = new RoutingServiceClient(options.routingAddr, credentials, { ...channelOptions('pick_first'), interceptors });
  return {
    jobs,
    fleet,
    routing,
    close: () => [jobs, fleet, routing].forEach((c) => c.close()),
  };
}

/** A unary call as a promise, with a deadline. */
export function unary<Res>(
  invoke: (metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => void,
  timeoutMs = 5_000,
): Promise<Res> {
  return new Promise((resolve, reject) => invoke(new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res))));
}
