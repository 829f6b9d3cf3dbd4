import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signPayload, signatureProblem, verifySignature } from './signature.js';

const secret = 'whsec_test-secret-0123456789';
const body = '{"id":"0190a","type":"job.delivered","data":{"job":{"id":"j1"}}}';
const signedAt = new Date('2025-03-01T12:00:00.000Z');
const later = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256, Stripe style', () => {
    const header = signPayload(secret, body, signedAt);
    const t = signedAt.getTime() / 1000;
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    assert.equal(header, `t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, with Date or epoch milliseconds', () => {
    const header = signPayload(secret, body, signedAt);
    assert.equal(verifySignature(secret, header, body, 300, later(299)), true);
    assert.equal(verifySignature(secret, header, Buffer.from(body), 300, later(10).getTime()), true);
  });

  it('rejects a tampered body', () => {
    const header = signPayload(secret, body, signedAt);
    const tampered = body.replace('j1', 'j2');
    assert.equal(verifySignature(secret, header, tampered, 300, signedAt), false);
    assert.equal(signatureProblem(secret, header, tampered, 300, signedAt), 'signature does not match');
  });

  it('rejects a wrong secret', () => {
    const header = signPayload(secret, body, signedAt);
    assert.equal(verifySignature('whsec_other-secret-0123456789', header, body, 300, signedAt), false);
  });

  it('rejects an old timestamp (replay) and one from too far in the future', () => {
    const header = signPayload(secret, body, signedAt);
    assert.equal(signatureProblem(secret, header, body, 300, later(301)), 'timestamp outside the tolerance');
    assert.equal(signatureProblem(secret, header, body, 300, later(-301)), 'timestamp outside the tolerance');
  });

  it('rejects a re-timestamped header: the timestamp is signed too', () => {
    const header = signPayload(secret, body, signedAt);
    const replayed = header.replace(/^t=\d+/, `t=${later(600).getTime() / 1000}`);
    assert.equal(verifySignature(secret, replayed, body, 300, later(600)), false);
  });

  it('rejects missing and malformed headers', () => {
    assert.equal(signatureProblem(secret, undefined, body, 300, signedAt), 'missing signature header');
    assert.equal(signatureProblem(secret, 'v1=abc', body, 300, signedAt), 'malformed signature header');
    assert.equal(signatureProblem(secret, 't=abc,v1=00', body, 300, signedAt), 'malformed signature header');
  });

  it('accepts any matching v1 entry (secret rotation)', () => {
    const good = signPayload(secret, body, signedAt);
    const other = signPayload('whsec_previous-secret-01234567', body, signedAt).split(',')[1];
    assert.equal(verifySignature(secret, `${good.split(',')[0]},${other},${good.split(',')[1]}`, body, 300, signedAt), true);
  });
});
