/**
 * Who may manage which webhook subscriptions: an operator its own only, an
 * admin all. Another operator's subscription answers NOT_FOUND, exactly like
 * one that does not exist.
 */
import { NotFoundError, PermissionDeniedError, ValidationError, type Principal } from '@kera/platform';
import type { CreateSubscription, Subscription } from '../domain/subscription.js';
import type { SubscriptionStore } from './ports.js';
import type { SubscriptionCommands } from './subscriptions.js';

export interface SubscriptionAccess {
  create(caller: Principal, request: CreateSubscription): Promise<{ subscription: Subscription; secret: string }>;
  delete(caller: Principal, subscriptionId: string): Promise<void>;
  list(caller: Principal, operatorId: string): Promise<Subscription[]>;
}

/** The operator a request is for: an operator token's own (empty = itself); whatever an admin names (validated later). */
function operatorFor(caller: Principal, requested: string): string {
  switch (caller.scope) {
    case 'admin':
      return requested;
    case 'operator':
      if (requested && requested !== caller.operatorId) {
        throw new PermissionDeniedError(`operator_id: an operator token manages only its own subscriptions (${caller.operatorId})`);
      }
      return caller.operatorId;
    case 'vehicle':
      throw new PermissionDeniedError('a vehicle token cannot manage subscriptions');
    default: {
      const never: never = caller;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}

/** Whose webhooks (dead letters) a caller may see: an operator its own; an admin the one it names, or all (undefined). */
export const operatorsVisibleTo = (caller: Principal, requested: string): string | undefined =>
  caller.scope === 'admin' && !requested ? undefined : operatorFor(caller, requested);

export function createSubscriptionAccess(deps: { commands: SubscriptionCommands; store: SubscriptionStore }): SubscriptionAccess {
  const { commands, store } = deps;
  return {
    create: async (caller, request) => commands.create({ ...request, operatorId: operatorFor(caller, request.operatorId) }),
    async delete(caller, subscriptionId) {
      if (!subscriptionId) throw new ValidationError('subscription_id: required');
      if (caller.scope !== 'admin') {
        const subscription = await store.get(subscriptionId);
        if (!subscription || subscription.operatorId !== operatorFor(caller, '')) throw new NotFoundError(`subscription ${subscriptionId} not found`);
      }
      await commands.delete(subscriptionId);
    },
    list: async (caller, operatorId) => commands.list(operatorFor(caller, operatorId)),
  };
}
