/**
 * The same bearer tokens over HTTP (the operator console, its SSE stream and
 * APIs): verify the `Authorization` header, check the scope, and answer a
 * refusal with 401 or 403 and a reason — never with data.
 */
import { KeraError, PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import type { Principal, Scope } from './principal.js';
import type { TokenVerifier } from './tokens.js';

export async function authenticateHttp(verifier: TokenVerifier, authorization: string | undefined, scopes: readonly Scope[]): Promise<Principal> {
  const principal = await verifier.verifyAuthorization(authorization);
  if (!scopes.includes(principal.scope)) {
    throw new PermissionDeniedError(`this needs ${scopes.join(' or ')} scope; the token is ${principal.scope} scope`);
  }
  return principal;
}

export interface HttpRefusal {
  status: 401 | 403;
  headers: Record<string, string>;
  body: { error: 'unauthenticated' | 'permission_denied'; reason: string };
}

/** The HTTP answer for an authentication error (RFC 6750 `WWW-Authenticate` on 401); undefined for any other error. */
export function httpRefusal(err: unknown): HttpRefusal | undefined {
  if (!(err instanceof KeraError)) return undefined;
  const reason = err.message.replace(/["\\]/g, "'");
  if (err instanceof UnauthenticatedError) {
    return { status: 401, headers: { 'www-authenticate': `Bearer realm="kera", error="invalid_token", error_description="${reason}"` }, body: { error: 'unauthenticated', reason } };
  }
  if (err instanceof PermissionDeniedError) {
    return { status: 403, headers: { 'www-authenticate': `Bearer realm="kera", error="insufficient_scope"` }, body: { error: 'permission_denied', reason } };
  }
  return undefined;
}
