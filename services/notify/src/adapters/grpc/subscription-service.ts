import type { GrpcAuth, Logger, Scope } from '@kera/platform';
import type {
  DeadLetter as ProtoDeadLetter,
  Subscription as ProtoSubscription,
  SubscriptionServiceServer,
} from '@kera/proto/notify/v1/subscriptions';
import type { DeadLetter, DeadLetterCommands } from '../../app/dead-letters.js';
import { operatorsVisibleTo, type SubscriptionAccess } from '../../app/subscription-access.js';
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

/** Operators manage their own subscriptions; admins all. */
const CALLERS: readonly Scope[] = ['operator', 'admin'];

export function createSubscriptionService(
  access: SubscriptionAccess,
  deadLetters: DeadLetterCommands,
  auth: GrpcAuth,
  log: Logger,
): SubscriptionServiceServer {
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
    listDeadLetters: auth.unary(grpcLog, CALLERS, async (request, caller) => ({
      deadLetters: (
        await deadLetters.list({
          operatorId: operatorsVisibleTo(caller, request.operatorId),
          subscriptionId: request.subscriptionId || undefined,
          limit: request.limit,
        })
      ).map(toProtoDeadLetter),
    })),
    replayDeadLetter: auth.unary(grpcLog, CALLERS, async (request, caller) => {
      const replay = await deadLetters.replay(request.deadLetterId, operatorsVisibleTo(caller, request.operatorId));
      grpcLog.info({ deadLetterId: request.deadLetterId, deliveryId: replay.deliveryId }, 'dead letter replayed');
      return replay;
    }),
  };
}
