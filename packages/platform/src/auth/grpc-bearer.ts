import type { Interceptor } from '@grpc/grpc-js';
import { InterceptingCall } from '@grpc/grpc-js';

/**
 * A client interceptor that sends `authorization: Bearer <token>` on every
 * call. The token may come from a function (fetched or issued lazily); the
 * call waits for it, messages written meanwhile are held by grpc-js.
 */
export function bearerInterceptor(token: string | (() => Promise<string>)): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        const withToken = (value: string) => {
          metadata.set('authorization', `Bearer ${value}`);
          next(metadata, listener);
        };
        if (typeof token === 'string') return withToken(token);
        token().then(withToken, () => next(metadata, listener));
      },
    });
}
