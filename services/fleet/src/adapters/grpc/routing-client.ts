import * as grpc from '@grpc/grpc-js';
import { RoutingServiceClient, type PlanMatrixResponse, type PlanRouteResponse } from '@kera/proto/routing/v1/routing';
import { NotFoundError, UnavailableError, ValidationError } from '@kera/platform';
import type { RoutePlanner } from '../../app/ports.js';
import type { RoutePlan } from '../../domain/order.js';
import { profileToPb } from '../proto-mapping.js';

const toDomainError = (err: grpc.ServiceError): Error => {
  switch (err.code) {
    case grpc.status.INVALID_ARGUMENT:
      return new ValidationError(err.details);
    case grpc.status.NOT_FOUND:
      return new NotFoundError(err.details);
    default:
      return new UnavailableError(`routing: ${grpc.status[err.code] ?? err.code} ${err.details}`, { cause: err });
  }
};

/** RoutePlanner over gRPC to the routing service. */
export function createRoutingClient(
  address: string,
  deadlineMs: number,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): RoutePlanner & { close(): void } {
  const client = new RoutingServiceClient(address, credentials);
  const deadline = () => ({ deadline: Date.now() + deadlineMs });

  const call = <Res>(invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => void): Promise<Res> =>
    new Promise((resolve, reject) => invoke((err, res) => (err ? reject(toDomainError(err)) : resolve(res))));

  return {
    async planRoute(profile, waypoints): Promise<RoutePlan> {
      const res = await call<PlanRouteResponse>((cb) =>
        client.planRoute({ profile: profileToPb(profile), waypoints, departureTime: new Date() }, new grpc.Metadata(), deadline(), cb),
      );
      return {
        legs: res.legs.map((l) => ({ distanceM: l.distanceM, durationS: l.durationS, points: l.points })),
        durationS: res.durationS,
        trafficVersion: res.trafficVersion,
        edgeIds: res.edgeIds,
      };
    },
    async planMatrix(profile, sources, destinations) {
      const res = await call<PlanMatrixResponse>((cb) =>
        client.planMatrix({ profile: profileToPb(profile), sources, destinations, departureTime: new Date() }, new grpc.Metadata(), deadline(), cb),
      );
      return sources.map((_, i) =>
        destinations.map((__, j) => {
          const d = res.durationsS[i * res.cols + j];
          return d === undefined || d < 0 ? undefined : d;
        }),
      );
    },
    close: () => client.close(),
  };
}
