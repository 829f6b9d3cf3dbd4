/** Messages a recording simulator sends its parent over the IPC channel (see record-main.ts). */
import type { OrderReceipt } from '../vehicles/index.js';

export interface SimReport {
  type: 'report';
  /** Orders received since the previous report. */
  receipts: OrderReceipt[];
  /** State messages written to the fleet since the previous report. */
  statesSent: number;
  /** Vehicles with an open, welcomed stream right now. */
  connected: number;
  vehicles: number;
  /** Wall-clock milliseconds when the report was taken. */
  at: number;
}

export interface SimFailed {
  type: 'failed';
  error: string;
}

export type SimMessage = SimReport | SimFailed;
