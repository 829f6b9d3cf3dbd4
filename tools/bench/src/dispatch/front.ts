/**
 * One address in front of several fleet replicas, like a Kubernetes Service:
 * each new TCP connection goes to the next replica that accepts it. A
 * connection to a replica that dies is closed, and its client reconnects
 * through the front to a survivor.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpFront {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTcpFront(options: { backends: readonly number[]; port?: number; host?: string }): Promise<TcpFront> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let next = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** Try each backend once, starting at the next in turn. */
  const dial = (client: Socket, attempt: number) => {
    if (attempt >= options.backends.length || client.destroyed) return client.destroy();
    const port = options.backends[next++ % options.backends.length]!;
    const upstream = connect({ host, port });
    track(upstream);
    upstream.once('error', () => {
      if (upstream.bytesRead === 0 && upstream.bytesWritten === 0) dial(client, attempt + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };

  const server = createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy());
    dial(client, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A free TCP port on 127.0.0.1 right now (services need fixed ports in their environment). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
