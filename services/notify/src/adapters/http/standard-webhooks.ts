import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '../../app/ports.js';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing with the
 * reference library: `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`).
 * The secret is `whsec_` + base64 of the key bytes, as the spec defines.
 */
export function createStandardWebhookSigner(): WebhookSigner {
  return {
    headers(secret, messageId, at, body) {
      return {
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(messageId, at, body),
      };
    },
  };
}
