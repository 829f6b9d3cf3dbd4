/**
 * The demo's token keys: one Ed25519 pair under .kera/ (git-ignored), made on
 * the first `npm start` and reused after, so tokens printed earlier stay valid
 * and `kera tokens issue` finds the same key.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOKEN_AUDIENCE, generateKeyPair, issueToken, parseSigningKey, readKeyText, type Principal } from '@kera/platform';

export interface DemoKeys {
  /** Private JWK: for the CLI and the simulator only. */
  signingKeyPath: string;
  /** JWK Set: AUTH_PUBLIC_KEYS of every service. */
  publicKeysPath: string;
  issue(principal: Principal, ttlSeconds: number): Promise<string>;
}

export function ensureDemoKeys(dir: string): DemoKeys {
  const signingKeyPath = join(dir, 'signing-key.json');
  const publicKeysPath = join(dir, 'public-keys.json');
  if (!existsSync(signingKeyPath) || !existsSync(publicKeysPath)) {
    const pair = generateKeyPair(`demo-${new Date().toISOString().slice(0, 10)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(signingKeyPath, `${pair.signingKey}\n`, { mode: 0o600 });
    chmodSync(signingKeyPath, 0o600);
    writeFileSync(publicKeysPath, `${pair.publicKeys}\n`);
  }
  const key = parseSigningKey(readKeyText(signingKeyPath));
  return {
    signingKeyPath,
    publicKeysPath,
    issue: (principal, ttlSeconds) => issueToken(key, principal, { ...DEFAULT_TOKEN_AUDIENCE, ttlSeconds }),
  };
}
