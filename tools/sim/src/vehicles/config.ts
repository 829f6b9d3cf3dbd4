import { env, signingConfigSchema } from '@kera/platform';
import { z } from 'zod';

/** The virtual fleet's part of the simulator's environment. */
export const vehicleSimConfigSchema = {
  FLEET_ADDR: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').default('127.0.0.1:50052'),
  /**
   * The private JWK (JSON or a file path) the simulator issues each vehicle's
   * own token with; `npm start` passes its demo key. Required when there are vehicles.
   */
  AUTH_SIGNING_KEY: signingConfigSchema.AUTH_SIGNING_KEY.optional(),
  AUTH_ISSUER: signingConfigSchema.AUTH_ISSUER,
  AUTH_AUDIENCE: signingConfigSchema.AUTH_AUDIENCE,
  /** Lifetime of the vehicle tokens, issued once at start (a vehicle presents its token on every reconnect). */
  SIM_TOKEN_TTL_S: z.coerce.number().int().positive().default(30 * 86_400),
  SIM_ROBOTS: z.coerce.number().int().min(0).max(10_000).default(3),
  SIM_SHUTTLES: z.coerce.number().int().min(0).max(10_000).default(1),
  /** Sim seconds per wall-clock second. */
  SIM_SPEEDUP: z.coerce.number().positive().max(1_000).default(5),
  /** Wall-clock milliseconds between simulation steps. */
  SIM_TICK_MS: env.positiveInt(200),
};
