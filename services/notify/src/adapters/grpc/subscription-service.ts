import type { GrpcAuth, Logger, Scope } from '@kera/platform';
import type { Subscription as ProtoSubscription, SubscriptionServiceServer } from '@kera/proto/notify/v1/subscriptions';
import type { SubscriptionAccess } from '../../app/subscription-access.js';
import type { Subscription } from '../../domain/subscription.js';

/** The listed form never carries the secret. */
const toProto = (subscription: Subscription): ProtoSubscription => ({
  id: subscription.id,
  operatorId: subscription.operatorId,
  url: subscription.url,
  eventTypes: subscription.eventTypes,
  createdAt: subscription.createdAt,
});

/** Operators manage their own subscriptions; admins all. */
const CALLERS: readonly Scope[] = ['operator', 'admin'];

export function createSubscriptionService(access: SubscriptionAccess, auth: GrpcAuth, log: Logger): SubscriptionServiceServer {
  const grpcLog = log.child({ component: 'grpc' });
  return {
    createSubscription: auth.unary(grpcLog, CALLERS, async (request, caller) => {
      const { subscription, secret } = await access.create(caller, {
        operatorId: request.operatorId,
        url: request.url,
        eventTypes: request.eventTypes,
        secret: request.secret,
      });
      grpcLog.info({ subscriptionId: subscription.id, operatorId: subscription.operatorId }, 'subscription created');
      return { subscription: toProto(subscription), secret };
    }),
    deleteSubscription: auth.unary(grpcLog, CALLERS, async (request, caller) => {
      await access.delete(caller, request.subscriptionId);
      grpcLog.info({ subscriptionId: request.subscriptionId }, 'subscription deleted');
      return {};
    }),
    listSubscriptions: auth.unary(grpcLog, CALLERS, async (request, caller) => ({
      subscriptions: (await access.list(caller, request.operatorId)).map(toProto),
    })),
  };
}
