import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { ConfigError, UnauthenticatedError } from '../errors.js';
import { createLogger } from '../logger.js';
import { authConfigSchema } from './config.js';
import { generateKeyPair, parseSigningKey, parseVerificationKeys } from './keys.js';
import { authenticateHttp, httpRefusal } from './http-auth.js';
import { createTokenVerifier, issueToken } from './tokens.js';

const audience = { issuer: 'kera', audience: 'kera' };
const pair = generateKeyPair('test-1');
const signingKey = parseSigningKey(pair.signingKey);
const keys = parseVerificationKeys(pair.publicKeys);
const at = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
const verifierAt = (now: Date, k = keys) => createTokenVerifier({ ...audience, keys: k, now: () => now });
const issue = (principal: Parameters<typeof issueToken>[1], ttlSeconds = 3600, extra: Partial<typeof audience> = {}) =>
  issueToken(signingKey, principal, { ...audience, ...extra, ttlSeconds, now: at });

const refusal = async (promise: Promise<unknown>, reason: RegExp) => {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof UnauthenticatedError, `expected UnauthenticatedError, got ${String(err)}`);
    assert.match(err.message, reason);
    return true;
  });
};

describe('tokens', () => {
  it('round-trips operator, vehicle and admin principals', async () => {
    const verifier = verifierAt(later(10));
    assert.deepEqual(await verifier.verify(await issue({ scope: 'operator', operatorId: 'acme' })), { scope: 'operator', operatorId: 'acme' });
    assert.deepEqual(await verifier.verify(await issue({ scope: 'vehicle', vehicleId: 'robot-7' })), { scope: 'vehicle', vehicleId: 'robot-7' });
    assert.deepEqual(await verifier.verify(await issue({ scope: 'admin', adminId: 'ops' })), { scope: 'admin', adminId: 'ops' });
  });

  it('carries issuer, audience, expiry, a kid and a unique id', async () => {
    const token = await issue({ scope: 'operator', operatorId: 'acme' }, 600);
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    assert.deepEqual(header, { alg: 'EdDSA', kid: 'test-1', typ: 'JWT' });
    assert.equal(payload!.iss, 'kera');
    assert.equal(payload!.aud, 'kera');
    assert.equal(payload!.sub, 'acme');
    assert.equal(payload!.scope, 'operator');
    assert.equal(payload!.exp, at.getTime() / 1000 + 600);
    const again = JSON.parse(Buffer.from((await issue({ scope: 'operator', operatorId: 'acme' })).split('.')[1]!, 'base64url').toString()) as { jti: string };
    assert.match(String(payload!.jti), /^[0-9a-f-]{36}$/);
    assert.notEqual(payload!.jti, again.jti);
  });

  it('refuses an expired token (past a 30 s clock tolerance)', async () => {
    const token = await issue({ scope: 'operator', operatorId: 'acme' }, 60);
    assert.ok(await verifierAt(later(80)).verify(token));
    await refusal(verifierAt(later(91)).verify(token), /^token expired$/);
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const other = parseSigningKey(generateKeyPair('test-1').signingKey);
    const forged = await issueToken(other, { scope: 'admin', adminId: 'mallory' }, { ...audience, ttlSeconds: 60, now: at });
    await refusal(verifierAt(later(1)).verify(forged), /signature is not valid/);
  });

  it('refuses a token whose payload was altered', async () => {
    const [h, , s] = (await issue({ scope: 'operator', operatorId: 'acme' })).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'acme', scope: 'admin', iss: 'kera', aud: 'kera', exp: 4e9 })).toString('base64url');
    await refusal(verifierAt(later(1)).verify(`${h}.${payload}.${s}`), /signature is not valid/);
  });

  it('refuses an unknown kid, another issuer or audience, and garbage', async () => {
    const stranger = parseSigningKey(generateKeyPair('elsewhere').signingKey);
    await refusal(
      verifierAt(later(1)).verify(await issueToken(stranger, { scope: 'admin', adminId: 'x' }, { ...audience, ttlSeconds: 60, now: at })),
      /unknown key/,
    );
    await refusal(verifierAt(later(1)).verify(await issue({ scope: 'admin', adminId: 'x' }, 60, { issuer: 'other' })), /claim "iss"/);
    await refusal(verifierAt(later(1)).verify(await issue({ scope: 'admin', adminId: 'x' }, 60, { audience: 'other' })), /claim "aud"/);
    await refusal(verifierAt(later(1)).verify('not-a-jwt'), /malformed/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'none', kid: 'test-1' })}.${part({ sub: 'x', scope: 'admin', iss: 'kera', aud: 'kera', exp: 4e9 })}.`;
    await refusal(verifierAt(later(1)).verify(unsigned), /.+/);
  });

  it('reads bearer authorization values and says what is missing', async () => {
    const verifier = verifierAt(later(1));
    const token = await issue({ scope: 'vehicle', vehicleId: 'robot-1' });
    assert.deepEqual(await verifier.verifyAuthorization(`Bearer ${token}`), { scope: 'vehicle', vehicleId: 'robot-1' });
    await refusal(verifier.verifyAuthorization(undefined), /missing bearer token/);
    await refusal(verifier.verifyAuthorization(`Basic ${token}`), /not a bearer token/);
  });

  it('accepts tokens of every key in the set (rotation), P-256 included', async () => {
    const next = generateKeyPair('test-2');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPublic = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' };
    const ecSigning = parseSigningKey(JSON.stringify({ ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec-1' }));
    const both = parseVerificationKeys(JSON.stringify({ keys: [...JSON.parse(pair.publicKeys).keys, ...JSON.parse(next.publicKeys).keys, ecPublic] }));
    const verifier = verifierAt(later(1), both);
    const principal = { scope: 'operator', operatorId: 'acme' } as const;
    assert.deepEqual(await verifier.verify(await issue(principal)), principal);
    assert.deepEqual(await verifier.verify(await issueToken(parseSigningKey(next.signingKey), principal, { ...audience, ttlSeconds: 60, now: at })), principal);
    assert.deepEqual(await verifier.verify(await issueToken(ecSigning, principal, { ...audience, ttlSeconds: 60, now: at })), principal);
  });

  it('will not issue for ids the rest of Kera rejects, nor without a positive ttl', async () => {
    await assert.rejects(issue({ scope: 'operator', operatorId: 'a b' }), /operator id/);
    await assert.rejects(issue({ scope: 'operator', operatorId: 'acme' }, 0), /ttl/);
  });
});

describe('key config', () => {
  const schema = z.object(authConfigSchema);

  it('fails fast without keys, and never echoes what it was given', () => {
    assert.throws(() => parseConfig(schema, {}), (err: unknown) => err instanceof ConfigError && /AUTH_PUBLIC_KEYS: required/.test(err.message));
    assert.throws(
      () => parseConfig(schema, { AUTH_PUBLIC_KEYS: pair.signingKey }),
      (err: unknown) => err instanceof ConfigError && /holds a private key/.test(err.message) && !err.message.includes(JSON.parse(pair.signingKey).d),
    );
    assert.throws(() => parseConfig(schema, { AUTH_PUBLIC_KEYS: '{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}' }), /unsupported key type/);
    assert.throws(() => parseConfig(schema, { AUTH_PUBLIC_KEYS: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA"}]}' }), /needs a "kid"/);
    assert.throws(() => parseConfig(schema, { AUTH_PUBLIC_KEYS: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","kid":"k"}]}' }), /not a valid Ed25519 public key/);
    assert.throws(() => parseConfig(schema, { AUTH_PUBLIC_KEYS: '/nonexistent/keys.json' }), /cannot read key file \/nonexistent\/keys.json: ENOENT/);
  });

  it('loads a key set inline', () => {
    const config = parseConfig(schema, { AUTH_PUBLIC_KEYS: pair.publicKeys });
    assert.deepEqual([...config.AUTH_PUBLIC_KEYS.keys()], ['test-1']);
    assert.equal(config.AUTH_ISSUER, 'kera');
  });
});

describe('logger redaction', () => {
  it('never writes tokens, authorization values or signing keys', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const token = await issue({ scope: 'admin', adminId: 'ops' });
    const redacting = createLogger({ name: 'redaction-test', destination: sink });
    redacting.info({ token, authorization: `Bearer ${token}`, call: { headers: { authorization: token } }, req: { token }, signingKey: pair.signingKey }, 'hello');
    const output = lines.join('');
    assert.match(output, /\[redacted\]/);
    assert.ok(!output.includes(token.split('.')[2]!), 'the token signature reached the log');
    assert.ok(!output.includes(JSON.parse(pair.signingKey).d), 'the private key reached the log');
  });
});

describe('HTTP bearer authentication', () => {
  it('answers 401 for a missing or bad token and 403 for the wrong scope, with reasons', async () => {
    const verifier = verifierAt(later(1));
    const admin = await issue({ scope: 'admin', adminId: 'ops' });
    const operator = await issue({ scope: 'operator', operatorId: 'acme' });
    assert.deepEqual(await authenticateHttp(verifier, `Bearer ${operator}`, ['operator', 'admin']), { scope: 'operator', operatorId: 'acme' });

    const refused = (promise: Promise<unknown>) => promise.then(() => assert.fail('expected a refusal'), httpRefusal);
    const missing = await refused(authenticateHttp(verifier, undefined, ['operator']));
    assert.equal(missing?.status, 401);
    assert.match(missing!.headers['www-authenticate']!, /^Bearer realm="kera", error="invalid_token"/);
    assert.match(missing!.body.reason, /missing bearer token/);
    const expired = await refused(authenticateHttp(verifierAt(later(7200)), `Bearer ${admin}`, ['admin']));
    assert.deepEqual([expired?.status, expired?.body.reason], [401, 'token expired']);
    const wrongScope = await refused(authenticateHttp(verifier, `Bearer ${operator}`, ['admin']));
    assert.deepEqual([wrongScope?.status, wrongScope?.body.error], [403, 'permission_denied']);
    assert.equal(httpRefusal(new Error('boom')), undefined);
  });
});
