import type { ClientOptions } from '@grpc/grpc-js';
import { bearerInterceptor, generateKeyPair, issueToken, parseSigningKey, type Principal } from '@kera/platform';

/** One key pair per test process: notify under test trusts its public key, tests sign with the private one. */
export const testKeys = generateKeyPair('notify-test');
const signingKey = parseSigningKey(testKeys.signingKey);

export const tokenFor = (principal: Principal): Promise<string> => issueToken(signingKey, principal, { issuer: 'kera', audience: 'kera', ttlSeconds: 3600 });

/** Client options that present a token for `principal` on every call. */
export const as = (principal: Principal): ClientOptions => ({ interceptors: [bearerInterceptor(() => tokenFor(principal))] });
