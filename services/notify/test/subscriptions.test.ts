import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { Subscription } from '@kera/proto/notify/v1/subscriptions';
import { uniqueName } from '@kera/testkit';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

describe('SubscriptionService over gRPC', () => {
  let notify: NotifyHarness;

  before(async () => {
    notify = await startNotifyHarness();
  });

  after(async () => {
    await notify.close();
  });

  const list = (operatorId: string) =>
    new Promise<Subscription[]>((resolve, reject) =>
      notify.client.listSubscriptions({ operatorId }, (err, res) => (err ? reject(err) : resolve(res.subscriptions))),
    );
  const remove = (subscriptionId: string) =>
    new Promise<void>((resolve, reject) =>
      notify.client.deleteSubscription({ subscriptionId }, (err) => (err ? reject(err) : resolve())),
    );
  const rejection = async (promise: Promise<unknown>): Promise<ServiceError> => {
    try {
      await promise;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected the call to fail');
  };

  it('creates a subscription with a generated secret that is returned once', async () => {
    const operatorId = uniqueName('op');
    const startedAt = Date.now();
    const { subscription, secret } = await notify.subscribe({
      operatorId,
      url: 'https://hooks.example.com/kera',
      eventTypes: ['job.delivered', 'job.failed'],
    });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'Standard Webhooks: whsec_ + base64 of 32 bytes');
    assert.match(subscription!.id, /^sub_[0-9a-f]{32}$/);
    assert.equal(subscription!.operatorId, operatorId);
    assert.deepEqual(subscription!.eventTypes, ['job.delivered', 'job.failed']);
    assert.ok(subscription!.createdAt!.getTime() >= startedAt - 1000);

    const listed = await list(operatorId);
    assert.deepEqual(listed, [subscription]);
    assert.ok(!JSON.stringify(listed).includes(secret), 'listing never shows the secret');
  });

  it('keeps a secret the caller chose', async () => {
    const chosen = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const { secret } = await notify.subscribe({ operatorId: uniqueName('op'), url: 'http://127.0.0.1:8080/hooks', secret: chosen });
    assert.equal(secret, chosen);
  });

  it('refuses destinations in loopback, private, link-local and metadata ranges at subscribe time', async () => {
    const cases: Array<[string, RegExp]> = [
      ['http://169.254.169.254/latest/meta-data/', /^url: 169\.254\.169\.254 is a cloud metadata address; refused unless WEBHOOK_ALLOWED_HOSTS names it$/],
      ['http://[::ffff:169.254.169.254]/', /a cloud metadata address/],
      ['http://[::1]:8080/hooks', /a loopback address/],
      ['http://127.0.0.2:8080/hooks', /127\.0\.0\.2 is a loopback address/],
      ['https://10.1.2.3/hooks', /a private address/],
      ['https://192.168.1.20/hooks', /a private address/],
      ['http://169.254.10.1/', /a link-local address/],
      ['http://0.0.0.0:8080/', /0\.0\.0\.0 is an unspecified address/],
    ];
    for (const [url, details] of cases) {
      const err = await rejection(notify.subscribe({ operatorId: uniqueName('op'), url }));
      assert.equal(err.code, status.INVALID_ARGUMENT, url);
      assert.match(err.details, /^url: /, url);
      assert.match(err.details, details, url);
    }
  });

  it('lists only the asked operator, oldest first', async () => {
    const operatorId = uniqueName('op');
    const first = await notify.subscribe({ operatorId, url: 'https://a.example.com/' });
    const second = await notify.subscribe({ operatorId, url: 'https://b.example.com/' });
    await notify.subscribe({ operatorId: uniqueName('op-other'), url: 'https://c.example.com/' });
    assert.deepEqual(
      (await list(operatorId)).map((s) => s.id),
      [first.subscription!.id, second.subscription!.id],
    );
  });

  it('rejects bad requests with INVALID_ARGUMENT naming the field', async () => {
    const valid = { operatorId: uniqueName('op'), url: 'https://hooks.example.com/' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ url: 'ftp://hooks.example.com/' }, /^url: must use http or https/],
      [{ url: 'not a url' }, /^url: not a valid absolute URL/],
      [{ url: '' }, /^url: required/],
      [{ url: 'https://user:pw@hooks.example.com/' }, /^url: must not contain credentials/],
      [{ operatorId: '' }, /^operator_id: required/],
      [{ operatorId: '*' }, /^operator_id: wildcard operators are not supported/],
      [{ eventTypes: ['job.delivered', 'job.exploded'] }, /^event_types\[1\]: unknown event type "job.exploded"/],
      [{ eventTypes: ['fleet.*'] }, /^event_types\[0\]: unknown event type/],
      [{ secret: 'a-caller-chosen-secret-0123' }, /^secret: expected "whsec_" followed by standard base64/],
      [{ secret: 'whsec_AAAAAAAA' }, /^secret: the key must be 24 to 64 bytes, got 6/],
    ];
    for (const [change, details] of cases) {
      const err = await rejection(notify.subscribe({ ...valid, ...change }));
      assert.equal(err.code, status.INVALID_ARGUMENT, JSON.stringify(change));
      assert.match(err.details, details);
    }
    const several = await rejection(notify.subscribe({ operatorId: '', url: 'ftp://x' }));
    assert.equal(several.details, 'operator_id: required; url: must use http or https');
    assert.deepEqual(await list(valid.operatorId), [], 'nothing was stored');
  });

  it('deletes a subscription, and answers NOT_FOUND for one that does not exist', async () => {
    const operatorId = uniqueName('op');
    const { subscription } = await notify.subscribe({ operatorId, url: 'https://hooks.example.com/' });
    await remove(subscription!.id);
    assert.deepEqual(await list(operatorId), []);

    const again = await rejection(remove(subscription!.id));
    assert.equal(again.code, status.NOT_FOUND);
    assert.match(again.details, new RegExp(subscription!.id));
    const empty = await rejection(remove(''));
    assert.equal(empty.code, status.INVALID_ARGUMENT);
    assert.match(empty.details, /^subscription_id: required/);
  });

  it('requires an operator to list', async () => {
    const err = await rejection(list(''));
    assert.equal(err.code, status.INVALID_ARGUMENT);
    assert.match(err.details, /^operator_id: required/);
  });

  it('reports ready on the ops server', async () => {
    const response = await fetch(`http://127.0.0.1:${notify.service.opsPort}/readyz`);
    assert.equal(response.status, 200);
  });
});
