import net, { type Socket } from 'node:net';
import { waitFor } from './wait.js';

/**
 * A TCP proxy in front of a shared server (Kafka, Redis) that a test can cut
 * and restore, so a service under test loses its dependency while the shared
 * server itself keeps running for everyone else.
 */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    // createConnection, not connect: redirectConnections() patches connect only.
    const upstream = net.createConnection(target);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  const cutAll = () => {
    cut = true;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: address.port,
    cut: cutAll,
    restore() {
      cut = false;
    },
    close() {
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Sends every new net.connect() to `from` through `to` instead, in this
 * process. Kafka clients connect to the brokers the cluster advertises, not
 * to the bootstrap address, so a proxy only sees a Kafka client's traffic this
 * way. Returns the undo.
 */
export function redirectConnections(from: { host: string; port: number }, to: { host: string; port: number }): () => void {
  const original = net.connect;
  const patched = ((...args: unknown[]) => {
    const [first] = args;
    if (first && typeof first === 'object' && 'port' in first) {
      const options = first as net.NetConnectOpts & { host?: string; port?: number };
      if (Number(options.port) === from.port && (options.host ?? 'localhost') === from.host) {
        args[0] = { ...options, host: to.host, port: to.port };
      }
    }
    return (original as (...a: unknown[]) => Socket)(...args);
  }) as typeof net.connect;
  net.connect = patched;
  return () => {
    net.connect = original;
  };
}

const hostPort = (address: string): { host: string; port: number } => {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
};

export interface CuttableInfra {
  /** KAFKA_BROKERS and REDIS_URL for the service under test: through the proxies. */
  env: { KAFKA_BROKERS: string; REDIS_URL: string };
  kafka: TcpProxy;
  redis: TcpProxy;
  /** Restores both, undoes the redirect and closes the proxies. */
  close(): Promise<void>;
}

/**
 * The shared broker and Redis behind TCP proxies a test can cut and restore
 * (the shared servers keep running). The broker advertises its own address,
 * so new connections to it are redirected through its proxy too: start the
 * service under test after this, and clients that must not be cut before it.
 */
export async function startCuttableInfra(infra: { kafkaBrokers: string[]; redisUrl: string }): Promise<CuttableInfra> {
  const broker = hostPort(infra.kafkaBrokers[0]!);
  const kafka = await startTcpProxy(broker);
  const redis = await startTcpProxy(hostPort(infra.redisUrl));
  const undoRedirect = redirectConnections(broker, { host: '127.0.0.1', port: kafka.port });
  return {
    env: { KAFKA_BROKERS: `127.0.0.1:${kafka.port}`, REDIS_URL: `redis://127.0.0.1:${redis.port}` },
    kafka,
    redis,
    async close() {
      kafka.restore();
      redis.restore();
      undoRedirect();
      await kafka.close();
      await redis.close();
    },
  };
}

/** Waits until GET /readyz on the ops port answers `status`. */
export async function readyzBecomes(opsPort: number, status: number, what: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(what, async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === status, { timeoutMs, intervalMs: 250 });
}
