/**
 * The run's own identities: a fresh Ed25519 key pair per run, its public key
 * set for the fleet replicas (AUTH_PUBLIC_KEYS), its private key for the
 * recording simulators (AUTH_SIGNING_KEY; each issues its vehicles their own
 * tokens), and one operator token for the harness' JobService and
 * FleetService calls. Nothing here is ever logged or written to the results.
 */
import { DEFAULT_TOKEN_AUDIENCE, generateKeyPair, issueToken, parseSigningKey } from '@kera/platform';

export interface RunCredentials {
  /** The operator the harness submits as: the `sub` of its token. */
  operatorId: string;
  /** Bearer token of `operatorId`; valid for `ttlSeconds`. */
  operatorToken: string;
  /** Environment of every fleet replica. */
  fleetEnv: { AUTH_PUBLIC_KEYS: string };
  /** Environment of every recording simulator. */
  simulatorEnv: { AUTH_SIGNING_KEY: string };
}

export async function runCredentials(o: { run: string; ttlSeconds: number }): Promise<RunCredentials> {
  const pair = generateKeyPair(`${o.run}-key`);
  const operatorId = `${o.run}-operator`;
  const operatorToken = await issueToken(parseSigningKey(pair.signingKey), { scope: 'operator', operatorId }, { ...DEFAULT_TOKEN_AUDIENCE, ttlSeconds: Math.ceil(o.ttlSeconds) });
  return { operatorId, operatorToken, fleetEnv: { AUTH_PUBLIC_KEYS: pair.publicKeys }, simulatorEnv: { AUTH_SIGNING_KEY: pair.signingKey } };
}
