import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, status, type ClientOptions, type ServiceError } from '@grpc/grpc-js';
import { SubscriptionServiceClient, type CreateSubscriptionResponse, type Subscription } from '@kera/proto/notify/v1/subscriptions';
import { bearerInterceptor } from '@kera/platform';
import { uniqueName } from '@kera/testkit';
import { as, tokenFor } from './support/auth.js';
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

  describe('per operator', () => {
    const clients: SubscriptionServiceClient[] = [];
    const clientAs = (options: ClientOptions = {}) => {
      const client = new SubscriptionServiceClient(`127.0.0.1:${notify.service.grpcPort}`, credentials.createInsecure(), options);
      clients.push(client);
      return client;
    };
    after(() => clients.forEach((c) => c.close()));
    const operator = (operatorId: string) => clientAs(as({ scope: 'operator', operatorId }));
    const create = (client: SubscriptionServiceClient, operatorId = '') =>
      new Promise<CreateSubscriptionResponse>((resolve, reject) =>
        client.createSubscription({ operatorId, url: 'https://hooks.example.com/', eventTypes: [], secret: '' }, (err, res) => (err ? reject(err) : resolve(res))),
      );
    const listAs = (client: SubscriptionServiceClient, operatorId = '') =>
      new Promise<Subscription[]>((resolve, reject) => client.listSubscriptions({ operatorId }, (err, res) => (err ? reject(err) : resolve(res.subscriptions))));
    const removeAs = (client: SubscriptionServiceClient, subscriptionId: string) =>
      new Promise<void>((resolve, reject) => client.deleteSubscription({ subscriptionId }, (err) => (err ? reject(err) : resolve())));

    it('refuses calls without a valid token as UNAUTHENTICATED, and vehicle tokens as PERMISSION_DENIED', async () => {
      const missing = await rejection(listAs(clientAs(), 'acme'));
      assert.equal(missing.code, status.UNAUTHENTICATED);
      assert.match(missing.details, /missing bearer token/);
      const token = await tokenFor({ scope: 'operator', operatorId: 'acme' });
      const tampered = `${token.slice(0, -4)}AAAA`;
      const bad = await rejection(listAs(clientAs({ interceptors: [bearerInterceptor(tampered)] })));
      assert.equal(bad.code, status.UNAUTHENTICATED);
      assert.match(bad.details, /signature is not valid/);
      const vehicle = await rejection(listAs(clientAs(as({ scope: 'vehicle', vehicleId: 'robot-1' }))));
      assert.equal(vehicle.code, status.PERMISSION_DENIED);
    });

    it('creates, lists and deletes only the operator’s own subscriptions', async () => {
      const a = uniqueName('op-a');
      const b = uniqueName('op-b');
      const { subscription: ofA } = await create(operator(a));
      assert.equal(ofA!.operatorId, a, 'created for the token operator');
      const { subscription: ofB } = await create(operator(b));

      assert.deepEqual((await listAs(operator(a))).map((s) => s.id), [ofA!.id]);
      const peek = await rejection(listAs(operator(a), b));
      assert.equal(peek.code, status.PERMISSION_DENIED);
      assert.match(peek.details, /only its own subscriptions/);
      const forB = await rejection(create(operator(a), b));
      assert.equal(forB.code, status.PERMISSION_DENIED);

      // A cannot tell B's subscription from one that does not exist, and cannot delete it.
      const sneak = await rejection(removeAs(operator(a), ofB!.id));
      assert.equal(sneak.code, status.NOT_FOUND);
      assert.equal(sneak.details, `subscription ${ofB!.id} not found`);
      assert.deepEqual((await list(b)).map((s) => s.id), [ofB!.id], "B's subscription is still there");

      await removeAs(operator(a), ofA!.id);
      assert.deepEqual(await listAs(operator(a)), []);
      await remove(ofB!.id); // an admin may delete any
      assert.deepEqual(await list(b), []);
    });
  });

  it('reports ready on the ops server', async () => {
    const response = await fetch(`http://127.0.0.1:${notify.service.opsPort}/readyz`);
    assert.equal(response.status, 200);
  });
});
