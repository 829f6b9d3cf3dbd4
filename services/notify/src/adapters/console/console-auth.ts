import { UnauthenticatedError, authenticateHttp, httpRefusal, type Principal, type TokenVerifier } from '@kera/platform';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Viewer } from '../../domain/console-events.js';

/**
 * Console sign-in: POST /console/api/session with the operator's token sets
 * it as an HttpOnly, SameSite=Strict cookie scoped to this origin, which the
 * browser then sends on every API call, the native EventSource (so it keeps
 * its reconnection with Last-Event-ID) and Bull Board's pages, none of which
 * can carry an Authorization header. The token never appears in a URL or a
 * log line. API clients may send `Authorization: Bearer …` instead.
 */
export const SESSION_COOKIE = 'kera_console';
const MAX_SESSION_S = 8 * 3600;

export interface ConsoleLocals {
  principal: Principal;
  viewer: Viewer;
}

export const viewerOf = (principal: Principal): Viewer =>
  principal.scope === 'admin' ? { admin: true } : { admin: false, operatorId: principal.scope === 'operator' ? principal.operatorId : '\u0000' };

function cookieToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** The Authorization header as sent, or one made from the session cookie. */
const authorizationOf = (req: Request): string | undefined => req.headers.authorization ?? (cookieToken(req) ? `Bearer ${cookieToken(req)}` : undefined);

export function refuse(res: Response, err: unknown): boolean {
  const refusal = httpRefusal(err);
  if (!refusal) return false;
  res.status(refusal.status).set(refusal.headers).json(refusal.body);
  return true;
}

/** Lets the request through with `res.locals.principal` and `viewer` when its token has one of `scopes`; 401/403 with the reason otherwise. */
export function requireToken(verifier: TokenVerifier, scopes: Principal['scope'][]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const authorization = authorizationOf(req);
    authenticateHttp(verifier, authorization, scopes).then(
      (principal) => {
        // Forwarded to fleet, which scopes what the caller may see; never logged.
        res.locals.authorization = authorization;
        res.locals.principal = principal;
        res.locals.viewer = viewerOf(principal);
        next();
      },
      (err: unknown) => {
        if (!refuse(res, err)) next(err);
      },
    );
  };
}

/** Seconds until the token's `exp`, capped; read only after the token verified. */
function sessionSeconds(token: string): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: number };
    const left = typeof claims.exp === 'number' ? claims.exp - Math.floor(Date.now() / 1000) : MAX_SESSION_S;
    return Math.max(1, Math.min(left, MAX_SESSION_S));
  } catch {
    return MAX_SESSION_S;
  }
}

export function sessionHandlers(verifier: TokenVerifier, secureCookie: boolean) {
  const attributes = `Path=/; HttpOnly; SameSite=Strict${secureCookie ? '; Secure' : ''}`;
  return {
    async signIn(req: Request, res: Response): Promise<void> {
      const token = typeof req.body?.token === 'string' ? (req.body.token as string).trim() : '';
      try {
        if (!token) throw new UnauthenticatedError('token: required');
        const principal = await authenticateHttp(verifier, `Bearer ${token}`, ['operator', 'admin']);
        res.set('set-cookie', `${SESSION_COOKIE}=${token}; Max-Age=${sessionSeconds(token)}; ${attributes}`);
        res.json({ principal, viewer: viewerOf(principal) });
      } catch (err) {
        if (!refuse(res, err)) throw err;
      }
    },
    signOut(_req: Request, res: Response): void {
      res.set('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`).status(204).end();
    },
    /** Re-checks a long-lived request's token (SSE), so an expired one stops getting data. */
    stillValid: (req: Request) => authenticateHttp(verifier, authorizationOf(req), ['operator', 'admin']).then(() => true, () => false),
  };
}
