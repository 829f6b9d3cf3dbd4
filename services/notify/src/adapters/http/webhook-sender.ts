import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { context, propagation } from '@opentelemetry/api';
import type { DestinationCheck, WebhookResponse, WebhookSender } from '../../app/ports.js';
import type { DestinationPolicy } from './destination-policy.js';

/** Marks a connection refused by the destination policy (not a network failure). */
const REFUSED = 'EDESTINATIONREFUSED';

const refusedError = (message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code: REFUSED });

const defaultPort = (url: URL): number => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/**
 * A DNS lookup that checks every address it returns, so the check runs on
 * the address the socket will actually connect to: a name that resolved to a
 * public address at subscribe time and to 127.0.0.1 now (DNS rebinding) is
 * refused here.
 */
export function guardedLookup(policy: DestinationPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => policy.problem(hostname, port, a.address)).find((p) => p !== undefined);
      if (refused) return callback(refusedError(refused), '', 0);
      if ((options as LookupOptions).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** Subscribe-time check: resolves the URL's host now for a clear, early error. */
export function createDestinationCheck(policy: DestinationPolicy): DestinationCheck {
  return {
    async problem(rawUrl) {
      const url = new URL(rawUrl);
      const port = defaultPort(url);
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host)) return policy.problem(url.hostname, port, host);
      const addresses = await new Promise<LookupAddress[] | undefined>((resolve) =>
        dnsLookup(host, { all: true }, (err, found) => resolve(err ? undefined : found)),
      );
      // A name that does not resolve now may later; the send-time check still applies.
      if (!addresses) return undefined;
      return addresses.map((a) => policy.problem(url.hostname, port, a.address)).find((p) => p !== undefined);
    },
  };
}

function post(url: URL, request: { headers: Record<string, string>; body: string; timeoutMs: number }, lookup: LookupFunction) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<WebhookResponse>((resolve) => {
    // The receiver can join its handling to Kera's trace (the HTTP instrumentation, when loaded, puts its client span here instead).
    const headers: Record<string, string> = { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    propagation.inject(context.active(), headers);
    const req = client.request(url, {
      method: 'POST',
      headers,
      lookup,
      // Redirects are never followed (node:http does not), and the body is discarded.
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'response', status: res.statusCode ?? 0 }));
      res.on('error', () => resolve({ kind: 'response', status: res.statusCode ?? 0 }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === REFUSED) resolve({ kind: 'refused', message: err.message });
      else if (err.name === 'AbortError' || err.name === 'TimeoutError') resolve({ kind: 'timeout' });
      else resolve({ kind: 'network-error', message: err.code ?? err.message });
    });
    req.end(request.body);
  });
}

/** POSTs over node:http(s), checking the resolved address of every new connection against the policy. */
export function createWebhookSender(policy: DestinationPolicy): WebhookSender {
  return {
    async post({ url: rawUrl, headers, body, timeoutMs }): Promise<WebhookResponse> {
      const url = new URL(rawUrl);
      const port = defaultPort(url);
      const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
      // An IP literal never goes through the lookup, so it is checked here.
      const refused = isIP(literal) ? policy.problem(url.hostname, port, literal) : undefined;
      if (refused) return { kind: 'refused', message: refused };
      return post(url, { headers, body, timeoutMs }, guardedLookup(policy, port));
    },
  };
}
