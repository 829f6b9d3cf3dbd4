import type { Logger } from 'pino';
import { ConflictError, NotFoundError, ValidationError, type GrpcAuth } from '@kera/platform';
import type { FleetServiceServer } from '@kera/proto/fleet/v1/fleet';
import type { VehicleQueries } from '../../app/access.js';
import type { VehicleCommands, VehicleStore } from '../../app/ports.js';
import { instantActionFromPb, vehicleToPb } from '../proto-mapping.js';
import { actorOf } from './actor.js';

/** FleetService over gRPC: operators and admins read vehicles; only admins send instant actions. */
export function fleetService(deps: { vehicles: VehicleStore; queries: VehicleQueries; commands: VehicleCommands; auth: GrpcAuth; log: Logger }): FleetServiceServer {
  const log = deps.log.child({ component: 'fleet-service' });
  const { auth, queries } = deps;
  return {
    listVehicles: auth.unary(log, ['operator', 'admin'], async (_req, principal) => ({
      vehicles: (await queries.list(actorOf(principal))).map(vehicleToPb),
    })),
    getVehicle: auth.unary(log, ['operator', 'admin'], async (req, principal) => ({
      vehicle: vehicleToPb(await queries.get(actorOf(principal), req.vehicleId)),
    })),
    sendInstantAction: auth.unary(log, ['admin'], async (req) => {
      const type = instantActionFromPb(req.type);
      if (!type) throw new ValidationError('type: one of PAUSE, RESUME, CANCEL_ORDER, STATE_REQUEST');
      if (!(await deps.vehicles.get(req.vehicleId))) throw new NotFoundError(`vehicle ${req.vehicleId} not found`);
      if (!deps.commands.isConnected(req.vehicleId)) throw new ConflictError(`vehicle ${req.vehicleId} is not connected`);
      return { commandId: await deps.commands.sendInstantAction(req.vehicleId, type) };
    }),
  };
}
