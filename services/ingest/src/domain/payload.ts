import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { describeValue, type Rejection } from './rejection.js';

export interface PayloadLimits {
  /** Largest accepted Kafka value, and largest decompressed body. */
  readonly maxBytes: number;
}

export type DecodedPayload = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly rejection: Rejection };

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

/**
 * Kafka value → JSON, with the size limits applied before anything is parsed.
 * `compressed` accepts what Digitraffic's "simple" traffic-message stream
 * sends: gzip, as raw bytes or base64 text. A compressed body is inflated with
 * an output cap, so a small bomb is refused without being expanded.
 */
export function decodeJsonPayload(value: Uint8Array | null, limits: PayloadLimits, compressed = false): DecodedPayload {
  if (value === null || value.length === 0) return fail('invalid_json', 'message has no value: expected a JSON document');
  if (value.length > limits.maxBytes) {
    return fail('too_large', `message is ${value.length} bytes, larger than the ${limits.maxBytes} bytes ingest accepts`);
  }
  let bytes: Uint8Array = value;
  if (compressed) {
    const inflated = inflate(value, limits);
    if (!inflated.ok) return inflated;
    bytes = inflated.bytes;
  }
  if (!isUtf8(bytes)) return fail('invalid_json', 'not valid JSON: bytes are not UTF-8');
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (err) {
    return fail('invalid_json', `not valid JSON: ${(err as Error).message}`);
  }
}

const isGzip = (b: Uint8Array): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

function inflate(value: Uint8Array, limits: PayloadLimits): { ok: true; bytes: Uint8Array } | { ok: false; rejection: Rejection } {
  let gzip: Uint8Array | undefined;
  if (isGzip(value)) gzip = value;
  else if (value[0] !== 0x7b && value[0] !== 0x5b) {
    // Not JSON-looking: the base64 text of a gzip body.
    const text = Buffer.from(value).toString('latin1');
    if (!BASE64.test(text)) return { ok: true, bytes: value };
    const decoded = Buffer.from(text, 'base64');
    if (!isGzip(decoded)) return fail('invalid_json', 'base64 text that is not gzip: expected JSON, gzip, or base64-encoded gzip');
    gzip = decoded;
  }
  if (!gzip) return { ok: true, bytes: value };
  try {
    return { ok: true, bytes: gunzipSync(gzip, { maxOutputLength: limits.maxBytes }) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|maxOutputLength/i.test((err as Error).message)) {
      return fail('too_large', `gzip body inflates to more than the ${limits.maxBytes} bytes ingest accepts (compressed ${gzip.length} bytes)`);
    }
    return fail('invalid_json', `gzip body is corrupt: ${(err as Error).message}`);
  }
}

const fail = (code: Rejection['code'], reason: string): { ok: false; rejection: Rejection } => ({ ok: false, rejection: { code, reason } });

/** A number field of a provider object, or a precise reason why not. */
export function numberField(object: Record<string, unknown>, name: string, expected: string): number | Rejection {
  const value = object[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { code: 'schema', reason: `${name}: expected ${expected}, got ${describeValue(value)}` };
  }
  return value;
}
