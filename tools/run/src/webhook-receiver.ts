import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  type: string;
  body: { id: string; type: string; occurredAt: string; data: { job: Record<string, unknown> & { id: string } } & Record<string, unknown> };
  signatureValid: boolean;
}

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/**
 * Verifies a Kera webhook the way docs/webhooks.md tells receivers to: the
 * Standard Webhooks reference library checks `webhook-id`,
 * `webhook-timestamp` (5-minute window) and `webhook-signature` over the raw body.
 */
export function signatureValid(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  if (!secret) return false;
  try {
    new Webhook(secret).verify(rawBody, {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    });
    return true;
  } catch {
    return false;
  }
}

/** A local HTTP endpoint that receives Kera webhooks and checks their signatures. */
export async function startWebhookReceiver(options: { port: number; secret: () => string; onWebhook: (w: ReceivedWebhook) => void }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const body = JSON.parse(raw) as ReceivedWebhook['body'];
        const valid = signatureValid(options.secret(), req.headers, raw);
        options.onWebhook({ id: body.id, type: body.type, body, signatureValid: valid });
        res.writeHead(valid ? 204 : 401).end();
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('expected a JSON body\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/kera-webhooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
