import type { WebhookResponse, WebhookSender } from '../../app/ports.js';

const isTimeout = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');

const networkMessage = (err: unknown): string => {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
};

/** POSTs with Node's fetch. Never follows redirects; the response body is discarded. */
export function createFetchWebhookSender(): WebhookSender {
  return {
    async post({ url, headers, body, timeoutMs }): Promise<WebhookResponse> {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
        // Drain (bounded by the same timeout) so the connection can be reused.
        await response.arrayBuffer().catch(() => undefined);
        return { kind: 'response', status: response.status };
      } catch (err) {
        if (isTimeout(err) || signal.aborted) return { kind: 'timeout' };
        return { kind: 'network-error', message: networkMessage(err) };
      }
    },
  };
}
