/** The virtual vehicle's vocabulary. Pure: no I/O, no generated code. */
import type { LatLon } from './geo.js';

export type { LatLon };

export type VehicleKind = 'ROBOT' | 'SHUTTLE';
export type ActionStatus = 'WAITING' | 'INITIALIZING' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED';
export type VehicleStatus = 'IDLE' | 'EN_ROUTE' | 'PAUSED' | 'CHARGING' | 'ERROR';
export type CommandErrorType =
  | 'VALIDATION_ERROR'
  | 'OUTDATED_ORDER_UPDATE'
  | 'SAME_ORDER_UPDATE_ID'
  | 'OTHER_ORDER_ACTIVE'
  | 'NO_ORDER_TO_CANCEL'
  | 'UNSUPPORTED_ACTION';
/** UNKNOWN stands for anything this vehicle does not understand; it is rejected, not ignored. */
export type InstantActionType = 'PAUSE' | 'RESUME' | 'CANCEL_ORDER' | 'STATE_REQUEST' | 'UNKNOWN';

export interface OrderAction {
  actionId: string;
  actionType: string;
  parameters: Readonly<Record<string, string>>;
}

export interface OrderNode {
  nodeId: string;
  sequenceId: number;
  released: boolean;
  position?: LatLon | undefined;
  actions: OrderAction[];
}

export interface OrderEdge {
  edgeId: string;
  sequenceId: number;
  released: boolean;
  startNodeId: string;
  endNodeId: string;
  /** 0 = no limit beyond the vehicle's own cruise speed. */
  maxSpeedMps: number;
  trajectory: LatLon[];
  actions: OrderAction[];
}

export interface Order {
  orderId: string;
  orderUpdateId: number;
  jobId: string;
  nodes: OrderNode[];
  edges: OrderEdge[];
}

export interface InstantAction {
  actionId: string;
  type: InstantActionType;
}

export type Ack = { accepted: true } | { accepted: false; errorType: CommandErrorType; description: string };

export interface ActionState {
  actionId: string;
  actionType: string;
  status: ActionStatus;
  resultDescription: string;
  /** The node the action runs at. */
  nodeSequenceId: number;
  durationS: number;
  remainingS: number;
}

export interface VehicleError {
  errorType: string;
  level: 'WARNING' | 'FATAL';
  description: string;
}

export interface VehicleSpec {
  id: string;
  kind: VehicleKind;
  capacity: number;
  cruiseSpeedMps: number;
  drainPctPerKm: number;
  /** Sim seconds a pick, drop or wait takes unless the action says `durationS`. */
  actionDurationS: number;
  /** An idle vehicle below this charges where it stands. */
  chargeBelowPct: number;
  chargePctPerMin: number;
}

export interface VehicleState {
  spec: VehicleSpec;
  position: LatLon;
  headingDeg: number;
  batteryPct: number;
  paused: boolean;
  charging: boolean;
  /** The current (or last) order, merged with its updates; traversed parts included. */
  order?: Order | undefined;
  lastNodeId: string;
  lastNodeSequenceId: number;
  /** Metres driven along the edge after the last node. */
  edgeProgressM: number;
  actions: ActionState[];
  errors: VehicleError[];
}

/** What the vehicle reports: the VDA 5050 state, in domain terms. */
export interface StateReport {
  orderId: string;
  orderUpdateId: number;
  lastNodeId: string;
  lastNodeSequenceId: number;
  driving: boolean;
  paused: boolean;
  charging: boolean;
  position: LatLon;
  headingDeg: number;
  batteryPct: number;
  nodeStates: Array<{ nodeId: string; sequenceId: number; released: boolean }>;
  edgeStates: Array<{ edgeId: string; sequenceId: number; released: boolean }>;
  actionStates: Array<{ actionId: string; actionType: string; status: ActionStatus; resultDescription: string }>;
  errors: VehicleError[];
  status: VehicleStatus;
  timestamp: Date;
}

/** Result of applying a command: the new state, the ack to send, and whether a state report should follow. */
export interface CommandResult {
  state: VehicleState;
  ack: Ack;
  reportDue: boolean;
}
