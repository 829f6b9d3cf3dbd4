export { startFleetSim, issueVehicleTokens, otaniemiFleet, SIM_SOFTWARE_VERSION, type FleetSim, type FleetSimOptions, type SimVehicleConfig } from './fleet-sim.js';
export type { OrderReceipt, VehicleHandle, VehicleObserver } from './vehicle-client.js';
export type { VehicleKind, VehicleState, StateReport } from './model-types.js';
