import { z } from 'zod';
import { parseSigningKey, parseVerificationKeys, readKeyText } from './keys.js';
import { DEFAULT_TOKEN_AUDIENCE } from './tokens.js';

const keyField = <T>(what: string, parse: (text: string) => T) =>
  z
    .string({ error: `required: ${what} as JSON, or the path of a file holding it` })
    .min(1, `required: ${what} as JSON, or the path of a file holding it`)
    .transform((value, ctx): T => {
      try {
        return parse(readKeyText(value));
      } catch (err) {
        // The message describes the problem; it never contains the value.
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'unreadable key' });
        return z.NEVER;
      }
    });

/**
 * Config every service that verifies tokens has. No defaults for keys: a
 * service without them refuses to start instead of running open.
 */
export const authConfigSchema = {
  /** A JWK Set of the public keys tokens may be signed with (several during a rotation). */
  AUTH_PUBLIC_KEYS: keyField('a JWK Set of token public keys', parseVerificationKeys),
  AUTH_ISSUER: z.string().min(1).default(DEFAULT_TOKEN_AUDIENCE.issuer),
  AUTH_AUDIENCE: z.string().min(1).default(DEFAULT_TOKEN_AUDIENCE.audience),
};

/** Config of whatever issues tokens (the CLI, the simulator, the launcher). */
export const signingConfigSchema = {
  AUTH_SIGNING_KEY: keyField('the private JWK tokens are signed with', parseSigningKey),
  AUTH_ISSUER: z.string().min(1).default(DEFAULT_TOKEN_AUDIENCE.issuer),
  AUTH_AUDIENCE: z.string().min(1).default(DEFAULT_TOKEN_AUDIENCE.audience),
};
