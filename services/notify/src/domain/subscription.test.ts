import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSubscription, validateCreateSubscription, wantsEvent } from './subscription.js';

const valid = { operatorId: 'acme', url: 'https://hooks.acme.example/kera', eventTypes: ['job.*'], secret: '' };

describe('subscription rules', () => {
  it('accepts http and https URLs and known patterns', () => {
    assert.deepEqual(validateCreateSubscription(valid), []);
    assert.deepEqual(validateCreateSubscription({ ...valid, url: 'http://127.0.0.1:8080/hooks', eventTypes: [] }), []);
  });

  it('lists every problem, each naming its field', () => {
    assert.deepEqual(
      validateCreateSubscription({ operatorId: '', url: 'mailto:ops@acme.example', eventTypes: ['job.*', 'job.lost'], secret: 'short' }),
      [
        'operator_id: required',
        'url: must use http or https',
        'event_types[1]: unknown event type "job.lost"; expected one of *, job.*, vehicle.*, incident.*, job.created, job.queued, job.assigned, job.dispatched, job.picked_up, job.delivered, job.failed, job.cancelled, job.updated, job.eta_changed, job.delayed, job.arriving, vehicle.offline, vehicle.error, incident.on_route',
        'secret: expected "whsec_" followed by standard base64 (Standard Webhooks format), or empty to have one generated',
      ],
    );
  });

  it('generates the secret only when none is given, and drops duplicate patterns', () => {
    const generated = { id: 'sub_1', secret: 'whsec_generated', now: new Date(0) };
    assert.equal(newSubscription(valid, generated).secret, 'whsec_generated');
    const own = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    assert.deepEqual(validateCreateSubscription({ ...valid, secret: own }), []);
    assert.equal(newSubscription({ ...valid, secret: own }, generated).secret, own);
    assert.deepEqual(newSubscription({ ...valid, eventTypes: ['job.failed', 'job.failed'] }, generated).eventTypes, ['job.failed']);
  });

  it("wants only its own operator's events", () => {
    const subscription = newSubscription(valid, { id: 'sub_1', secret: 'whsec_x', now: new Date(0) });
    assert.equal(wantsEvent(subscription, 'acme', 'job.created'), true);
    assert.equal(wantsEvent(subscription, 'globex', 'job.created'), false);
  });
});
