import { env } from '@kera/platform';
import { z } from 'zod';

/** The virtual fleet's part of the simulator's environment. */
export const vehicleSimConfigSchema = {
  FLEET_ADDR: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').default('127.0.0.1:50052'),
  /** Shared fleet token, sent in every Hello; empty when the fleet checks none. */
  FLEET_TOKEN: z.string().default(''),
  SIM_ROBOTS: z.coerce.number().int().min(0).max(10_000).default(3),
  SIM_SHUTTLES: z.coerce.number().int().min(0).max(10_000).default(1),
  /** Sim seconds per wall-clock second. */
  SIM_SPEEDUP: z.coerce.number().positive().max(1_000).default(5),
  /** Wall-clock milliseconds between simulation steps. */
  SIM_TICK_MS: env.positiveInt(200),
};
