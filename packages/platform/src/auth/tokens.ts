/**
 * Kera's bearer tokens: JWTs signed with a key from config, verified by every
 * service on its own (no call to an issuer). Claims: `sub` (the operator,
 * vehicle or admin id), `scope`, `iss`, `aud`, `iat`, `exp`, `jti`.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import type { SigningKey, VerificationKeys } from './keys.js';
import { isScope, PRINCIPAL_ID, principalOf, subjectOf, type Principal } from './principal.js';

export interface TokenAudience {
  issuer: string;
  audience: string;
}

export const DEFAULT_TOKEN_AUDIENCE: TokenAudience = { issuer: 'kera', audience: 'kera' };

export async function issueToken(
  key: SigningKey,
  principal: Principal,
  options: TokenAudience & { ttlSeconds: number; now?: Date },
): Promise<string> {
  const subject = subjectOf(principal);
  if (!PRINCIPAL_ID.test(subject)) throw new RangeError(`${principal.scope} id: 1-64 characters of [A-Za-z0-9._:@-]`);
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) throw new RangeError('ttl: a positive number of seconds');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ scope: principal.scope })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .setJti(randomUUID())
    .sign(key.key);
}

export interface TokenVerifier {
  /** The principal a compact JWT speaks for; throws UnauthenticatedError with the reason. */
  verify(token: string): Promise<Principal>;
  /** The same for an `Authorization: Bearer …` header value (gRPC metadata or HTTP). */
  verifyAuthorization(header: string | undefined): Promise<Principal>;
}

/** Why a token is refused, in words that help the caller and reveal nothing about the keys. */
function reasonFor(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'token is signed by an unknown key';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token algorithm does not match its key';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim "${err.claim}" is not valid (${err.reason})`;
  if (err instanceof UnauthenticatedError) return err.message;
  return 'token is malformed';
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i;

/** Verified tokens kept until they expire, so a CLI or console polling with one token costs one signature check. */
const CACHE_LIMIT = 1_000;

export function createTokenVerifier(options: TokenAudience & { keys: VerificationKeys; clockToleranceS?: number; now?: () => Date }): TokenVerifier {
  const cache = new Map<string, { principal: Principal; expiresAtMs: number }>();
  const now = options.now ?? (() => new Date());

  const getKey = (header: JWTHeaderParameters) => {
    const entry = header.kid === undefined ? undefined : options.keys.get(header.kid);
    if (!entry) throw new errors.JWKSNoMatchingKey();
    if (header.alg !== entry.alg) throw new errors.JOSEAlgNotAllowed('alg');
    return entry.key;
  };

  async function check(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    const { payload } = await jwtVerify(token, getKey, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ['EdDSA', 'ES256'],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: options.clockToleranceS ?? 30,
      currentDate: now(),
    });
    if (!isScope(payload.scope)) throw new UnauthenticatedError('token has no valid scope claim (operator, vehicle or admin)');
    if (!payload.sub || !PRINCIPAL_ID.test(payload.sub)) throw new UnauthenticatedError('token subject is not a valid id');
    return { principal: principalOf(payload.scope, payload.sub), expiresAtMs: payload.exp! * 1000 };
  }

  async function verify(token: string): Promise<Principal> {
    const cached = cache.get(token);
    if (cached && cached.expiresAtMs > now().getTime()) return cached.principal;
    cache.delete(token);
    try {
      const verified = await check(token);
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(token, verified);
      return verified.principal;
    } catch (err) {
      throw new UnauthenticatedError(reasonFor(err));
    }
  }

  return {
    verify,
    async verifyAuthorization(header) {
      if (!header) throw new UnauthenticatedError('missing bearer token (authorization: Bearer <token>)');
      const match = BEARER.exec(header);
      if (!match) throw new UnauthenticatedError('authorization is not a bearer token (expected "Bearer <JWT>")');
      return verify(match[1]!);
    },
  };
}
