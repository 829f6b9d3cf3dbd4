import { unary, type Logger } from '@kera/platform';
import type { Subscription as ProtoSubscription, SubscriptionServiceServer } from '@kera/proto/notify/v1/subscriptions';
import type { SubscriptionCommands } from '../../app/subscriptions.js';
import type { Subscription } from '../../domain/subscription.js';

/** The listed form never carries the secret. */
const toProto = (subscription: Subscription): ProtoSubscription => ({
  id: subscription.id,
  operatorId: subscription.operatorId,
  url: subscription.url,
  eventTypes: subscription.eventTypes,
  createdAt: subscription.createdAt,
});

export function createSubscriptionService(commands: SubscriptionCommands, log: Logger): SubscriptionServiceServer {
  const grpcLog = log.child({ component: 'grpc' });
  return {
    createSubscription: unary(grpcLog, async (request) => {
      const { subscription, secret } = await commands.create({
        operatorId: request.operatorId,
        url: request.url,
        eventTypes: request.eventTypes,
        secret: request.secret,
      });
      grpcLog.info({ subscriptionId: subscription.id, operatorId: subscription.operatorId }, 'subscription created');
      return { subscription: toProto(subscription), secret };
    }),
    deleteSubscription: unary(grpcLog, async (request) => {
      await commands.delete(request.subscriptionId);
      grpcLog.info({ subscriptionId: request.subscriptionId }, 'subscription deleted');
      return {};
    }),
    listSubscriptions: unary(grpcLog, async (request) => ({
      subscriptions: (await commands.list(request.operatorId)).map(toProto),
    })),
  };
}
