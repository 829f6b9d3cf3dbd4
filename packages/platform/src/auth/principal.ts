/**
 * Who a verified token speaks for. The scope decides what the caller may do;
 * the id ties it to the jobs, subscriptions or vehicle it owns.
 */
export const SCOPES = ['operator', 'vehicle', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export type Principal =
  | { scope: 'operator'; operatorId: string }
  | { scope: 'vehicle'; vehicleId: string }
  | { scope: 'admin'; adminId: string };

/** Operator, vehicle and admin ids: what the rest of Kera accepts as ids (no spaces, no separators that need escaping). */
export const PRINCIPAL_ID = /^[A-Za-z0-9._:@-]{1,64}$/;

export const isScope = (value: unknown): value is Scope => (SCOPES as readonly unknown[]).includes(value);

/** The token subject (`sub`) of a principal. */
export function subjectOf(principal: Principal): string {
  switch (principal.scope) {
    case 'operator':
      return principal.operatorId;
    case 'vehicle':
      return principal.vehicleId;
    case 'admin':
      return principal.adminId;
    default: {
      const never: never = principal;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}

export function principalOf(scope: Scope, subject: string): Principal {
  switch (scope) {
    case 'operator':
      return { scope, operatorId: subject };
    case 'vehicle':
      return { scope, vehicleId: subject };
    case 'admin':
      return { scope, adminId: subject };
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}

/** "operator demo", "vehicle robot-1", "admin ops": for reasons and logs (ids are not secrets). */
export const describePrincipal = (principal: Principal): string => `${principal.scope} ${subjectOf(principal)}`;
