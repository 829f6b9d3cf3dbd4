import { PermissionDeniedError, type Principal } from '@kera/platform';
import type { Actor } from '../../app/access.js';

/** The fleet's view of a verified caller. The handlers' scope lists keep vehicles out; this is the backstop. */
export function actorOf(principal: Principal): Actor {
  switch (principal.scope) {
    case 'operator':
      return { kind: 'operator', operatorId: principal.operatorId };
    case 'admin':
      return { kind: 'admin' };
    case 'vehicle':
      throw new PermissionDeniedError('a vehicle token is only for VehicleLink');
    default: {
      const never: never = principal;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}
