/**
 * Every gRPC client of the benchmark is built here: JobService and
 * FleetService calls carry the run's operator token (credentials.ts) as
 * `authorization: Bearer …`; routing is internal and takes none. Vehicles get
 * theirs from the simulators, which sign them with the run's key.
 */
import * as grpc from '@grpc/grpc-js';
import { bearerInterceptor } from '@kera/platform';
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

export function channelOptions(lb: LoadBalancing): grpc.ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [lb]: {} }] }),
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  };
}

export function createClients(options: { fleetTarget: string; routingAddr: string; lb: LoadBalancing; token: string }): Clients {
  const credentials = grpc.credentials.createInsecure();
  const fleetOptions = { ...channelOptions(options.lb), interceptors: [bearerInterceptor(options.token)] };
  const jobs = new JobServiceClient(options.fleetTarget, credentials, fleetOptions);
  const fleet = new FleetServiceClient(options.fleetTarget, credentials, fleetOptions);
  const routing = new RoutingServiceClient(options.routingAddr, credentials, channelOptions('pick_first'));
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
