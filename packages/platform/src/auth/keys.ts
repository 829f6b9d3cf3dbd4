/**
 * Signing and verification keys as JSON Web Keys. Services get only public
 * keys (a JWK Set, so several can be valid during a rotation); whoever issues
 * tokens (the CLI, the launcher) holds the private key. Parsing is synchronous
 * so config can fail fast at start, and messages never echo key material.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: KeyObject;
}

export type VerificationKeys = ReadonlyMap<string, VerificationKey>;

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  key: KeyObject;
}

export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

/** Config values are either the JSON itself or the path of a file holding it. */
export function readKeyText(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return trimmed;
  try {
    return readFileSync(trimmed, 'utf8');
  } catch (err) {
    throw new KeyFormatError(`cannot read key file ${trimmed}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KeyFormatError(`${what} is not valid JSON`);
  }
}

function algorithmOf(jwk: JsonWebKey, where: string): SigningAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new KeyFormatError(`${where}: unsupported key type (use an Ed25519 or P-256 key)`);
}

function kidOf(jwk: JsonWebKey, where: string): string {
  const kid = (jwk as { kid?: unknown }).kid;
  if (typeof kid !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(kid)) throw new KeyFormatError(`${where}: needs a "kid" of 1-64 characters [A-Za-z0-9._-]`);
  return kid;
}

/** A JWK Set (`{"keys":[…]}`) or one JWK, public keys only. */
export function parseVerificationKeys(text: string): VerificationKeys {
  const json = parseJson(text, 'the public key set');
  const list = (json as { keys?: unknown }).keys ?? [json];
  if (!Array.isArray(list) || list.length === 0) throw new KeyFormatError('the public key set has no keys');
  const keys = new Map<string, VerificationKey>();
  list.forEach((entry: unknown, index) => {
    const jwk = entry as JsonWebKey;
    const where = `key ${index}`;
    if (typeof jwk !== 'object' || jwk === null) throw new KeyFormatError(`${where}: not a JSON Web Key`);
    const kid = kidOf(jwk, where);
    if (jwk.d !== undefined) throw new KeyFormatError(`${where} (${kid}) holds a private key: give services only the public key set`);
    if (keys.has(kid)) throw new KeyFormatError(`${where}: kid ${kid} appears twice`);
    const alg = algorithmOf(jwk, `${where} (${kid})`);
    try {
      keys.set(kid, { kid, alg, key: createPublicKey({ key: jwk, format: 'jwk' }) });
    } catch {
      throw new KeyFormatError(`${where} (${kid}): not a valid ${alg === 'EdDSA' ? 'Ed25519' : 'P-256'} public key`);
    }
  });
  return keys;
}

/** One private JWK with its kid. */
export function parseSigningKey(text: string): SigningKey {
  const jwk = parseJson(text, 'the signing key') as JsonWebKey;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new KeyFormatError('the signing key is not a JSON Web Key');
  if ('keys' in jwk) throw new KeyFormatError('the signing key is a key set (public keys?); give the one private JWK tokens are signed with');
  const kid = kidOf(jwk, 'the signing key');
  const alg = algorithmOf(jwk, `the signing key (${kid})`);
  if (typeof jwk.d !== 'string') throw new KeyFormatError(`the signing key (${kid}) has no private part ("d")`);
  try {
    return { kid, alg, key: createPrivateKey({ key: jwk, format: 'jwk' }) };
  } catch {
    throw new KeyFormatError(`the signing key (${kid}) is not a valid private key`);
  }
}

export interface GeneratedKeyPair {
  kid: string;
  /** The private JWK as JSON: for whoever issues tokens. Keep it secret. */
  signingKey: string;
  /** A JWK Set with the public key as JSON: for every service. */
  publicKeys: string;
}

/** A fresh Ed25519 key pair; the kid defaults to the creation date, so rotations sort. */
export function generateKeyPair(kid = `kera-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '')}`): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const base = { kid, alg: 'EdDSA', use: 'sig' };
  return {
    kid,
    signingKey: JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...base }),
    publicKeys: JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), ...base }] }),
  };
}
