import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One address in front of several replicas, as a Kubernetes Service is:
 * each new TCP connection goes to the next target in turn, skipping targets
 * that refuse it. Bytes are passed through untouched (gRPC over h2c works as
 * is); a connection ends when either side ends it, so a client whose replica
 * dies reconnects and lands on a live one.
 */
export async function startRoundRobinProxy(options: { port: number; targets: number[]; host?: string }): Promise<TcpProxy> {
  const host = options.host ?? '127.0.0.1';
  let next = 0;
  const open = new Set<Socket>();

  const dial = (client: Socket, attemptsLeft: number) => {
    const target = options.targets[next++ % options.targets.length]!;
    const upstream = connect({ host, port: target });
    open.add(upstream);
    upstream.once('connect', () => {
      upstream.off('error', retry);
      upstream.on('error', () => client.destroy());
      upstream.once('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      client.on('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    // Refused (a replica that is down): try the next one.
    const retry = () => {
      open.delete(upstream);
      upstream.destroy();
      if (attemptsLeft > 1 && !client.destroyed) dial(client, attemptsLeft - 1);
      else client.destroy();
    };
    upstream.once('error', retry);
  };

  const server = createServer((client) => {
    open.add(client);
    client.pause();
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    dial(client, options.targets.length);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
