import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { PermissionDeniedError } from './errors.js';
import { toServiceError } from './grpc.js';
import { describePrincipal, type Principal, type Scope } from './auth/principal.js';
import type { TokenVerifier } from './auth/tokens.js';

/**
 * Authentication for gRPC handlers: reads `authorization: Bearer …`
 * metadata, verifies it, checks the scope and hands the principal to the
 * handler. Missing/bad/expired → UNAUTHENTICATED; wrong scope →
 * PERMISSION_DENIED. Health and reflection are separate services and are not
 * wrapped, so they stay open.
 */
export interface GrpcAuth {
  authenticate(metadata: grpc.Metadata): Promise<Principal>;
  /** A unary handler for callers with one of `scopes`. */
  unary<Req, Res>(
    log: Logger,
    scopes: readonly Scope[],
    impl: (request: Req, principal: Principal, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res>;
  /** A server-streaming handler: `impl` runs once the caller is verified; errors end the stream with their status. */
  serverStream<Req, Res>(
    log: Logger,
    scopes: readonly Scope[],
    impl: (call: grpc.ServerWritableStream<Req, Res>, principal: Principal) => Promise<void>,
  ): grpc.handleServerStreamingCall<Req, Res>;
}

/** Throws PERMISSION_DENIED naming the scopes needed and the one presented (never the token). */
export function requireScope(principal: Principal, scopes: readonly Scope[]): void {
  if (scopes.includes(principal.scope)) return;
  const needed = scopes.map((s) => `${s}`).join(' or ');
  throw new PermissionDeniedError(`this call needs ${/^[aeiou]/.test(needed) ? 'an' : 'a'} ${needed} token; the caller is ${describePrincipal(principal)}`);
}

export function createGrpcAuth(verifier: TokenVerifier): GrpcAuth {
  const authenticate = (metadata: grpc.Metadata): Promise<Principal> => {
    const values = metadata.get('authorization');
    return verifier.verifyAuthorization(typeof values[0] === 'string' && values.length === 1 ? values[0] : undefined);
  };
  const authorize = async (metadata: grpc.Metadata, scopes: readonly Scope[]): Promise<Principal> => {
    const principal = await authenticate(metadata);
    requireScope(principal, scopes);
    return principal;
  };

  return {
    authenticate,
    unary: (log, scopes, impl) => (call, callback) => {
      authorize(call.metadata, scopes)
        .then((principal) => impl(call.request, principal, call))
        .then(
          (response) => callback(null, response),
          (err: unknown) => callback(toServiceError(err, log) as grpc.ServiceError),
        );
    },
    serverStream: (log, scopes, impl) => (call) => {
      authorize(call.metadata, scopes)
        .then((principal) => impl(call, principal))
        .catch((err: unknown) => call.emit('error', toServiceError(err, log)));
    },
  };
}
