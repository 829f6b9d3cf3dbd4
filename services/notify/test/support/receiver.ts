import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inbox } from '@kera/testkit';

export interface ReceivedRequest {
  eventId: string;
  eventType: string;
  /** 1 for the first request carrying this event id. */
  attempt: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** What the receiver answered; 'hang' never answered. */
  answer: number | 'hang';
}

/** Decides the answer for a request: a status, or 'hang' to force a timeout. */
export type Responder = (request: { eventId: string; eventType: string; attempt: number }) => number | 'hang';

export interface Receiver {
  url: string;
  /** Every request, answered or not, in arrival order. */
  requests: Inbox<ReceivedRequest>;
  /** Bodies of requests answered with 2xx. */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/** The Standard Webhooks headers of a request, as the library's verify() takes them. */
export const headersOf = (request: ReceivedRequest): Record<string, string> => ({
  'webhook-id': header(request.headers, 'webhook-id'),
  'webhook-timestamp': header(request.headers, 'webhook-timestamp'),
  'webhook-signature': header(request.headers, 'webhook-signature'),
});

/** A real HTTP webhook receiver on a free local port. */
export async function startReceiver(respond: Responder = () => 200): Promise<Receiver> {
  const requests = new Inbox<ReceivedRequest>();
  const attempts = new Map<string, number>();
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const eventId = header(req.headers, 'webhook-id');
      const eventType = header(req.headers, 'kera-event-type');
      const attempt = (attempts.get(eventId) ?? 0) + 1;
      attempts.set(eventId, attempt);
      const answer = respond({ eventId, eventType, attempt });
      requests.push({ eventId, eventType, attempt, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), answer });
      if (answer === 'hang') hanging.push(res);
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    accepted: () => requests.items.filter((r) => typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
