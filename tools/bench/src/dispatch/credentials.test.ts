import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenVerifier, DEFAULT_TOKEN_AUDIENCE, parseSigningKey, parseVerificationKeys } from '@kera/platform';
import { runCredentials } from './credentials.js';

describe('runCredentials', () => {
  it('gives fleet a public key set that verifies the operator token, and the simulators the matching private key', async () => {
    const c = await runCredentials({ run: 'bench-x1-abc', ttlSeconds: 600 });
    const keys = parseVerificationKeys(c.fleetEnv.AUTH_PUBLIC_KEYS);
    const verifier = createTokenVerifier({ ...DEFAULT_TOKEN_AUDIENCE, keys });
    assert.deepEqual(await verifier.verify(c.operatorToken), { scope: 'operator', operatorId: 'bench-x1-abc-operator' });
    assert.equal(c.operatorId, 'bench-x1-abc-operator');
    assert.equal(parseSigningKey(c.simulatorEnv.AUTH_SIGNING_KEY).kid, [...keys.keys()][0]);
  });

  it('makes a new key pair per run, so a token of one run is refused by the fleet of another', async () => {
    const a = await runCredentials({ run: 'bench-a', ttlSeconds: 600 });
    const b = await runCredentials({ run: 'bench-b', ttlSeconds: 600 });
    const verifier = createTokenVerifier({ ...DEFAULT_TOKEN_AUDIENCE, keys: parseVerificationKeys(b.fleetEnv.AUTH_PUBLIC_KEYS) });
    await assert.rejects(verifier.verify(a.operatorToken), /unknown key|signature/);
  });
});
