/**
 * The operator console's HTTP side on the real broker and Redis: refusals
 * without a valid token, per-operator visibility on the SSE stream and the
 * JSON API, and resuming the stream with Last-Event-ID.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { Inbox, uniqueName, waitFor } from '@kera/testkit';
import { tokenFor } from './support/auth.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { jobEvent, startNotifyHarness, type NotifyHarness } from './support/notify.js';

interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

/** Reads an SSE response into an inbox (comments and retry lines skipped); returns a stopper. */
async function openStream(url: string, headers: Record<string, string>, inbox: Inbox<SseEvent>): Promise<() => void> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  assert.equal(res.status, 200, `SSE ${url}: ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        const id = field('id');
        if (id) inbox.push({ id, event: field('event') ?? '', data: field('data') ? JSON.parse(field('data')!) : undefined });
      }
    }
  })();
  return () => controller.abort();
}

describe('operator console', () => {
  let notify: NotifyHarness;
  let base: string;
  const stoppers: Array<() => void> = [];
  const receivers: Receiver[] = [];
  const acme = uniqueName('acme');
  const globex = uniqueName('globex');

  before(async () => {
    notify = await startNotifyHarness();
    base = `http://127.0.0.1:${notify.service.consolePort}`;
  });

  after(async () => {
    for (const stop of stoppers) stop();
    await notify.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const signIn = async (token: string): Promise<Response> =>
    fetch(`${base}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });

  it('serves the page shell to anyone but answers 401 without data on its APIs and SSE for a missing or wrong token', async () => {
    const page = await fetch(`${base}/console/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Kera/);
    const wrong = { authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', cookie: 'kera_console=not-a-token' };
    for (const path of ['/console/api/snapshot', '/console/api/dead-letters', '/console/api/network?profile=road', '/events']) {
      for (const headers of [{}, wrong]) {
        const res = await fetch(`${base}${path}`, { headers });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(Object.keys(headers))}`);
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.error, 'unauthenticated');
        assert.deepEqual(Object.keys(body).sort(), ['error', 'reason']);
      }
    }
    const refused = await signIn('not-a-token');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('set-cookie'), null);
    const queues = await fetch(`${base}/console/queues`, { headers: { authorization: `Bearer ${await tokenFor({ scope: 'operator', operatorId: acme })}` } });
    assert.equal(queues.status, 403, 'Bull Board is for admins');
  });

  it('streams an operator its own jobs only and an admin all; the API agrees; a stream resumes after Last-Event-ID', async () => {
    const session = await signIn(await tokenFor({ scope: 'operator', operatorId: acme }));
    assert.equal(session.status, 200);
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(session.headers.get('set-cookie')!, /HttpOnly; SameSite=Strict/);
    const admin = { authorization: `Bearer ${await tokenFor({ scope: 'admin', adminId: 'console-test' })}` };

    const operatorEvents = new Inbox<SseEvent>();
    const adminEvents = new Inbox<SseEvent>();
    stoppers.push(await openStream(`${base}/events?kinds=job`, { cookie }, operatorEvents));
    stoppers.push(await openStream(`${base}/events`, admin, adminEvents));

    const ownJob = uniqueName('job-acme');
    const otherJob = uniqueName('job-globex');
    await notify.publishJob(jobEvent(ownJob, acme, JobStatus.QUEUED, JobStatus.CREATED, 2));
    await notify.publishJob(jobEvent(otherJob, globex, JobStatus.QUEUED, JobStatus.CREATED, 2));

    const jobIdOf = (e: SseEvent) => (e.data as { id?: string } | undefined)?.id;
    const seen = await adminEvents.waitUntil('both jobs on the admin stream', (items) => [ownJob, otherJob].every((id) => items.some((e) => jobIdOf(e) === id)));
    const otherId = seen.find((e) => jobIdOf(e) === otherJob)!.id;
    // The operator's stream carries every entry's id (to resume from), but the other operator's job only as an id.
    await operatorEvents.waitUntil("the operator's stream past the other job", (items) => items.some((e) => e.id === otherId));
    assert.deepEqual(operatorEvents.items.filter((e) => e.event === 'job').map(jobIdOf), [ownJob]);

    const snapshot = (await (await fetch(`${base}/console/api/snapshot`, { headers: { cookie } })).json()) as { jobs: { id: string }[] };
    assert.deepEqual(snapshot.jobs.map((j) => j.id), [ownJob]);
    assert.equal((await fetch(`${base}/console/api/jobs/${otherJob}/timeline`, { headers: { cookie } })).status, 404);
    const timeline = (await (await fetch(`${base}/console/api/jobs/${ownJob}/timeline`, { headers: { cookie } })).json()) as { timeline: { status: string }[] };
    assert.deepEqual(timeline.timeline.map((t) => t.status), ['QUEUED']);

    const ownId = seen.find((e) => jobIdOf(e) === ownJob)!.id;
    const resumed = new Inbox<SseEvent>();
    stoppers.push(await openStream(`${base}/events?kinds=job`, { ...admin, 'last-event-id': ownId }, resumed));
    const replayed = await resumed.waitUntil('the missed job after Last-Event-ID', (items) => items.some((e) => jobIdOf(e) === otherJob));
    assert.equal(replayed.some((e) => jobIdOf(e) === ownJob), false, 'nothing at or before Last-Event-ID');

    const bad = await fetch(`${base}/events?kinds=planes`, { headers: admin });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { reason: string }).reason, /unknown planes/);
  });

  it("lists an operator's webhook dead letters (not another's) and replays one; Bull Board opens for an admin", async () => {
    let fixed = false;
    const hooks = await startReceiver(() => (fixed ? 200 : 410));
    receivers.push(hooks);
    const operatorId = uniqueName('dl-op');
    await notify.subscribe({ operatorId, url: hooks.url });
    await notify.publishLifecycle(uniqueName('job'), operatorId, [JobStatus.CREATED]);
    const as = async (principal: Parameters<typeof tokenFor>[0]) => ({ authorization: `Bearer ${await tokenFor(principal)}` });
    const own = await as({ scope: 'operator', operatorId });
    type Letters = { webhooks: { id: string; type: string; reason: string }[]; ingest: unknown[] };
    const listed = await waitFor('a dead letter in the console', async () => {
      const body = (await (await fetch(`${base}/console/api/dead-letters`, { headers: own })).json()) as Letters;
      return body.webhooks.length === 1 ? body : undefined;
    });
    assert.equal(listed.webhooks[0]!.type, 'job.created');
    assert.equal(listed.webhooks[0]!.reason, 'HTTP 410');
    const other = (await (await fetch(`${base}/console/api/dead-letters`, { headers: await as({ scope: 'operator', operatorId: uniqueName('x') }) })).json()) as Letters;
    assert.deepEqual(other.webhooks, []);

    fixed = true;
    const replay = await fetch(`${base}/console/api/dead-letters/webhooks/${listed.webhooks[0]!.id}/replay`, { method: 'POST', headers: own });
    assert.equal(replay.status, 200);
    await hooks.requests.waitFor('the replayed webhook accepted', (r) => r.eventType === 'job.created' && r.answer === 200);
    const again = await fetch(`${base}/console/api/dead-letters/webhooks/${listed.webhooks[0]!.id}/replay`, { method: 'POST', headers: own });
    assert.equal(again.status, 404);

    const board = await fetch(`${base}/console/queues`, { headers: await as({ scope: 'admin', adminId: 'console-test' }) });
    assert.equal(board.status, 200);
    assert.match(await board.text(), /Kera queues|bull/i);
  });
});
