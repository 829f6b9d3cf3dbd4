/** gRPC clients for the fleet and notify services, with promise-returning unary calls. */
import { Metadata, status, type CallOptions, type ClientOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { bearerInterceptor } from '@kera/platform/auth';
import { channelCredentials } from '@kera/platform/tls';
import { FleetServiceClient } from '@kera/proto/fleet/v1/fleet';
import { JobServiceClient } from '@kera/proto/fleet/v1/jobs';
import { SubscriptionServiceClient } from '@kera/proto/notify/v1/subscriptions';

export interface Endpoints {
  fleetAddr: string;
  notifyAddr: string;
  /** Sent as `authorization: Bearer …` on every call; without one the services answer UNAUTHENTICATED. */
  token: string | undefined;
  /** CA bundle (PEM file) that signed the services' certificates: TLS when set, plaintext otherwise. */
  ca?: string | undefined;
}

export interface KeraClients {
  jobs: JobServiceClient;
  fleet: FleetServiceClient;
  subscriptions: SubscriptionServiceClient;
  close(): void;
}

/** Clients connect on their first call, so building all three costs nothing. */
export function createClients(endpoints: Endpoints): KeraClients {
  const insecure = channelCredentials({ ca: endpoints.ca });
  const options: ClientOptions = endpoints.token ? { interceptors: [bearerInterceptor(endpoints.token)] } : {};
  const jobs = new JobServiceClient(endpoints.fleetAddr, insecure, options);
  const fleet = new FleetServiceClient(endpoints.fleetAddr, insecure, options);
  const subscriptions = new SubscriptionServiceClient(endpoints.notifyAddr, insecure, options);
  return {
    jobs,
    fleet,
    subscriptions,
    close() {
      jobs.close();
      fleet.close();
      subscriptions.close();
    },
  };
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}

/** `INVALID_ARGUMENT: pickup is outside the service area` */
export function describeServiceError(err: { code: number; details?: string }): string {
  const name = status[err.code] ?? `code ${err.code}`;
  return err.details ? `${name}: ${err.details}` : name;
}
