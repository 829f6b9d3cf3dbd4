import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface ReceivedWebhook {
  id: string;
  type: string;
  body: { id: string; type: string; occurredAt: string; data: { job: Record<string, unknown> & { id: string }; previousStatus: string | null } };
  signatureValid: boolean;
}

/**
 * Checks a `kera-signature: t=<unix s>,v1=<hex>` header the way docs/webhooks.md
 * tells receivers to: HMAC-SHA256 over "<t>.<raw body>", constant-time compare,
 * and a bounded clock skew.
 */
export function signatureValid(secret: string, header: string | undefined, rawBody: string, toleranceS = 300, nowS = Date.now() / 1000): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((kv) => kv.trim().split('=') as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isFinite(t) || !v1 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
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
        const valid = signatureValid(options.secret(), req.headers['kera-signature'] as string | undefined, raw);
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
