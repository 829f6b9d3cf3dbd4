import { unary, type Logger } from '@kera/platform';
import type {
  DeadLetter as ProtoDeadLetter,
  Subscription as ProtoSubscription,
  SubscriptionServiceServer,
} from '@kera/proto/notify/v1/subscriptions';
import type { DeadLetter, DeadLetterCommands } from '../../app/dead-letters.js';
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

/** Never the body: it stays in the queue and goes out again only on replay. */
const toProtoDeadLetter = (letter: DeadLetter): ProtoDeadLetter => ({
  id: letter.id,
  eventId: letter.delivery.eventId,
  eventType: letter.delivery.eventType,
  subscriptionId: letter.delivery.subscriptionId,
  operatorId: letter.delivery.operatorId ?? '',
  jobId: letter.delivery.jobId,
  reason: letter.reason,
  attempts: letter.attempts,
  failedAt: letter.failedAt,
  replays: letter.delivery.replays ?? 0,
});

export function createSubscriptionService(
  commands: SubscriptionCommands,
  deadLetters: DeadLetterCommands,
  log: Logger,
): SubscriptionServiceServer {
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
    listDeadLetters: unary(grpcLog, async (request) => ({
      deadLetters: (
        await deadLetters.list({
          operatorId: request.operatorId || undefined,
          subscriptionId: request.subscriptionId || undefined,
          limit: request.limit,
        })
      ).map(toProtoDeadLetter),
    })),
    replayDeadLetter: unary(grpcLog, async (request) => {
      const replay = await deadLetters.replay(request.deadLetterId, request.operatorId || undefined);
      grpcLog.info({ deadLetterId: request.deadLetterId, deliveryId: replay.deliveryId }, 'dead letter replayed');
      return replay;
    }),
  };
}
