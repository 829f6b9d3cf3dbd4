import type { Logger } from 'pino';
import { ConflictError, NotFoundError, unary, ValidationError } from '@kera/platform';
import type { FleetServiceServer } from '@kera/proto/fleet/v1/fleet';
import type { VehicleCommands, VehicleStore } from '../../app/ports.js';
import { instantActionFromPb, vehicleToPb } from '../proto-mapping.js';

/** FleetService over gRPC: read vehicles, send instant actions. */
export function fleetService(deps: { vehicles: VehicleStore; commands: VehicleCommands; log: Logger }): FleetServiceServer {
  const log = deps.log.child({ component: 'fleet-service' });
  const getVehicle = async (id: string) => {
    const vehicle = await deps.vehicles.get(id);
    if (!vehicle) throw new NotFoundError(`vehicle ${id} not found`);
    return vehicle;
  };
  return {
    listVehicles: unary(log, async () => ({ vehicles: (await deps.vehicles.list()).map(vehicleToPb) })),
    getVehicle: unary(log, async (req) => ({ vehicle: vehicleToPb(await getVehicle(req.vehicleId)) })),
    sendInstantAction: unary(log, async (req) => {
      const type = instantActionFromPb(req.type);
      if (!type) throw new ValidationError('type: one of PAUSE, RESUME, CANCEL_ORDER, STATE_REQUEST');
      await getVehicle(req.vehicleId);
      if (!deps.commands.isConnected(req.vehicleId)) throw new ConflictError(`vehicle ${req.vehicleId} is not connected`);
      return { commandId: await deps.commands.sendInstantAction(req.vehicleId, type) };
    }),
  };
}
