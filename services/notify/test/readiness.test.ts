import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redirectConnections, startTcpProxy, testInfra, waitFor, type TcpProxy } from '@kera/testkit';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

const hostPort = (address: string): { host: string; port: number } => {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
};

/**
 * /readyz follows Kafka and Redis: each is cut (a TCP proxy between this
 * notify and the shared broker / Redis drops its connections; the shared
 * servers keep running) and restored.
 */
describe('notify /readyz follows Kafka and Redis', () => {
  let harness: NotifyHarness;
  let kafkaProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let undoRedirect: () => void;

  before(async () => {
    const infra = await testInfra();
    const broker = hostPort(infra.kafkaBrokers[0]!);
    kafkaProxy = await startTcpProxy(broker);
    redisProxy = await startTcpProxy(hostPort(infra.redisUrl));
    // The broker advertises its own address: new connections to it go through the proxy too.
    undoRedirect = redirectConnections(broker, { host: '127.0.0.1', port: kafkaProxy.port });
    harness = await startNotifyHarness({ KAFKA_BROKERS: `127.0.0.1:${kafkaProxy.port}`, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` });
  });

  after(async () => {
    kafkaProxy.restore();
    redisProxy.restore();
    await harness.close();
    undoRedirect();
    await kafkaProxy.close();
    await redisProxy.close();
  });

  const readyz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${harness.service.opsPort}/readyz`)).status;
  const becomes = (status: number, what: string) => waitFor(what, async () => (await readyz()) === status, { timeoutMs: 60_000, intervalMs: 250 });

  it('is ready, unready while Redis is cut, and ready again when it returns', async () => {
    assert.equal(await readyz(), 200);
    redisProxy.cut();
    await becomes(503, 'unready without Redis');
    redisProxy.restore();
    await becomes(200, 'ready with Redis back');
  });

  it('is unready while Kafka is cut, and ready again when it returns', async () => {
    assert.equal(await readyz(), 200);
    kafkaProxy.cut();
    await becomes(503, 'unready without Kafka');
    kafkaProxy.restore();
    await becomes(200, 'ready with Kafka back');
  });
});
