/** Fleet's domain vocabulary. Pure: no I/O, no generated code. */
export interface LatLon {
  lat: number;
  lon: number;
}

export type Profile = 'sidewalk' | 'road';
export type VehicleKind = 'ROBOT' | 'SHUTTLE';

export type JobStatus =
  | 'CREATED'
  | 'QUEUED'
  | 'ASSIGNED'
  | 'DISPATCHED'
  | 'PICKED_UP'
  | 'DELIVERED'
  | 'FAILED'
  | 'CANCELLED';

export interface Job {
  id: string;
  requestId: string;
  operatorId: string;
  status: JobStatus;
  pickup: LatLon;
  dropoff: LatLon;
  size: number;
  priority: number;
  earliestPickup?: Date | undefined;
  latestDelivery?: Date | undefined;
  /** Profiles that can route pickup → drop-off, checked at submit. */
  profiles: Profile[];
  vehicleId?: string | undefined;
  orderId?: string | undefined;
  eta?: Date | undefined;
  reason?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /**
   * W3C traceparent of the request that submitted the job: each later step
   * (dispatch, the vehicle's acks and reports) continues that one trace.
   */
  traceparent?: string | undefined;
}

export type VehicleStatus = 'OFFLINE' | 'IDLE' | 'EN_ROUTE' | 'CHARGING' | 'ERROR' | 'PAUSED';

export interface Vehicle {
  id: string;
  kind: VehicleKind;
  profile: Profile;
  capacity: number;
  batteryPct: number;
  position?: LatLon | undefined;
  headingDeg: number;
  status: VehicleStatus;
  jobId?: string | undefined;
  orderId?: string | undefined;
  lastSeen: Date;
  version: number;
}

export type ActionType = 'pick' | 'drop' | 'wait';
export type ActionStatus = 'WAITING' | 'INITIALIZING' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED';

export interface OrderAction {
  actionId: string;
  actionType: ActionType;
}

export interface OrderNode {
  nodeId: string;
  sequenceId: number;
  released: boolean;
  position: LatLon;
  actions: OrderAction[];
}

export interface OrderEdge {
  edgeId: string;
  sequenceId: number;
  released: boolean;
  startNodeId: string;
  endNodeId: string;
  maxSpeedMps: number;
  lengthM: number;
  trajectory: LatLon[];
}

export interface Order {
  orderId: string;
  orderUpdateId: number;
  jobId: string;
  vehicleId: string;
  nodes: OrderNode[];
  edges: OrderEdge[];
  trafficVersion: number;
  /** Road-graph edge ids the order drives over, for replanning on traffic changes. */
  graphEdgeIds: number[];
  durationS: number;
}

/** What the vehicle reported about one of its order's actions. */
export interface ActionReport {
  actionId: string;
  status: ActionStatus;
  description?: string | undefined;
}

export interface StateReport {
  orderId: string;
  orderUpdateId: number;
  position?: LatLon | undefined;
  headingDeg: number;
  batteryPct: number;
  driving: boolean;
  paused: boolean;
  charging: boolean;
  actions: ActionReport[];
  fatalError?: string | undefined;
  at: Date;
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['DELIVERED', 'FAILED', 'CANCELLED'];
export const isTerminal = (status: JobStatus): boolean => TERMINAL_JOB_STATUSES.includes(status);
