/** The TCP front on real sockets: round robin over live backends, and a dead backend's connections closed. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { startTcpFront, type TcpFront } from './front.js';

/** A backend that answers every chunk with its name. */
async function backend(name: string): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', () => s.write(name));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, sockets };
}

async function ask(port: number): Promise<{ answer: string; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.write('hi');
  const [data] = (await once(socket, 'data')) as [Buffer];
  return { answer: data.toString(), socket };
}

describe('TCP round-robin front', () => {
  const closers: Array<() => unknown> = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('spreads new connections over the replicas and skips one that is gone', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const front: TcpFront = await startTcpFront({ backends: [a.port, b.port] });
    closers.push(() => b.server.close(), () => front.close());

    const first = await ask(front.port);
    const second = await ask(front.port);
    assert.deepEqual([first.answer, second.answer].sort(), ['a', 'b']);
    const [onA, onB] = first.answer === 'a' ? [first.socket, second.socket] : [second.socket, first.socket];
    onB.destroy();

    // Replica a dies: its client's connection closes, and new ones reach b only.
    const closed = once(onA, 'close');
    for (const s of a.sockets) s.destroy();
    a.server.close();
    await closed;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const { answer, socket } = await ask(front.port);
      answers.push(answer);
      socket.destroy();
    }
    assert.deepEqual(answers, ['b', 'b', 'b']);
  });
});
