import { NotFoundError, ValidationError } from '@kera/platform';
import {
  newSubscription,
  validateCreateSubscription,
  type CreateSubscription,
  type Subscription,
} from '../domain/subscription.js';
import type { Clock, DestinationCheck, SubscriptionStore } from './ports.js';

export interface SubscriptionCommands {
  /** Returns the subscription and its secret; the secret is never shown again. */
  create(request: CreateSubscription): Promise<{ subscription: Subscription; secret: string }>;
  delete(subscriptionId: string): Promise<void>;
  list(operatorId: string): Promise<Subscription[]>;
}

export function createSubscriptionCommands(deps: {
  store: SubscriptionStore;
  destinations: DestinationCheck;
  clock: Clock;
  newId: () => string;
  newSecret: () => string;
}): SubscriptionCommands {
  const { store, clock } = deps;
  return {
    async create(request) {
      const problems = validateCreateSubscription(request);
      if (problems.length > 0) throw new ValidationError(problems.join('; '));
      // Early and clear; the same check runs again on every connection (DNS may change).
      const refused = await deps.destinations.problem(request.url);
      if (refused) throw new ValidationError(`url: ${refused}`);
      const subscription = newSubscription(request, { id: deps.newId(), secret: deps.newSecret(), now: clock.now() });
      await store.save(subscription);
      return { subscription, secret: subscription.secret };
    },
    async delete(subscriptionId) {
      if (!subscriptionId) throw new ValidationError('subscription_id: required');
      if (!(await store.delete(subscriptionId))) throw new NotFoundError(`subscription ${subscriptionId} not found`);
    },
    async list(operatorId) {
      if (!operatorId) throw new ValidationError('operator_id: required');
      return store.listByOperator(operatorId);
    },
  };
}
