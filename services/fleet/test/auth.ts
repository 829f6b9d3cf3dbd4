import type { ChannelOptions, ClientOptions } from '@grpc/grpc-js';
import { bearerInterceptor, generateKeyPair, issueToken, parseSigningKey, type Principal } from '@kera/platform';

/** One key pair per test process: fleets under test trust its public key, tests sign with the private one. */
export const testKeys = generateKeyPair('fleet-test');
const signingKey = parseSigningKey(testKeys.signingKey);

export const tokenFor = (principal: Principal, ttlSeconds = 3600): Promise<string> =>
  issueToken(signingKey, principal, { issuer: 'kera', audience: 'kera', ttlSeconds });

/** A token that expired an hour ago (issued two hours ago for one hour). */
export const expiredToken = (principal: Principal) =>
  issueToken(signingKey, principal, { issuer: 'kera', audience: 'kera', ttlSeconds: 3600, now: new Date(Date.now() - 7_200_000) });

export const operatorToken = (operatorId: string) => tokenFor({ scope: 'operator', operatorId });
export const vehicleToken = (vehicleId: string) => tokenFor({ scope: 'vehicle', vehicleId });
export const adminToken = () => tokenFor({ scope: 'admin', adminId: 'test-admin' });

/** Client options that present a token on every call: `new JobServiceClient(addr, insecure, withToken(adminToken))`. */
export const withToken = (token: () => Promise<string>, options: ChannelOptions = {}): ClientOptions => ({ ...options, interceptors: [bearerInterceptor(token)] });
export const asAdmin = (): ClientOptions => withToken(adminToken);
export const asOperator = (operatorId: string): ClientOptions => withToken(() => operatorToken(operatorId));
