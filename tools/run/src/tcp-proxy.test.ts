import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { startRoundRobinProxy } from './tcp-proxy.js';

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
};

/** Send one line through the proxy; the reply, or 'closed' when the proxy gave up. */
const roundTrip = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (data) => {
      resolve(String(data));
      socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve('closed'));
  });

describe('round-robin TCP proxy', () => {
  it('takes turns between live targets and skips one that refuses connections', async () => {
    const tagged = (tag: string) => createServer((s) => s.on('data', (d) => s.write(`${tag}:${String(d)}`)));
    const [a, b] = [tagged('a'), tagged('b')];
    const refused = createServer();
    const deadPort = await listen(refused);
    await new Promise<void>((resolve) => refused.close(() => resolve()));
    const proxy = await startRoundRobinProxy({ port: 0, targets: [await listen(a), deadPort, await listen(b)] });

    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await roundTrip(proxy.port, `hi${i}`));
    assert.deepEqual(replies, ['a:hi0', 'b:hi1', 'a:hi2', 'b:hi3']);

    await proxy.close();
    a.close();
    b.close();
  });
});
