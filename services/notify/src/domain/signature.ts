import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe style: the header is `t=<unix seconds>,v1=<hex>`
 * where hex = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is signed
 * too, so a captured request cannot be replayed after the tolerance window.
 */

export const SIGNATURE_HEADER = 'kera-signature';

const toUnixSeconds = (now: Date | number): number =>
  Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);

function hmacHex(secret: string, timestampSec: number, rawBody: string | Uint8Array): string {
  return createHmac('sha256', secret)
    .update(`${timestampSec}.`)
    .update(rawBody)
    .digest('hex');
}

/**
 * The `kera-signature` header value for a body sent at `now`
 * (a Date, or epoch milliseconds as from Date.now()).
 */
export function signPayload(secret: string, rawBody: string | Uint8Array, now: Date | number): string {
  const t = toUnixSeconds(now);
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

interface ParsedHeader {
  timestampSec: number;
  signatures: string[];
}

function parseSignatureHeader(header: string): ParsedHeader | undefined {
  let timestampSec: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestampSec = Number(value);
    // Several v1 entries appear while a secret is being rotated; any may match.
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestampSec === undefined || signatures.length === 0 ? undefined : { timestampSec, signatures };
}

/**
 * Why a signature does not verify, or undefined when it does. `now` is a
 * Date or epoch milliseconds; `toleranceSec` bounds the clock distance
 * between the signing time and `now` in either direction.
 */
export function signatureProblem(
  secret: string,
  header: string | undefined,
  rawBody: string | Uint8Array,
  toleranceSec: number,
  now: Date | number,
): string | undefined {
  if (!header) return 'missing signature header';
  const parsed = parseSignatureHeader(header);
  if (!parsed) return 'malformed signature header';
  if (Math.abs(toUnixSeconds(now) - parsed.timestampSec) > toleranceSec) return 'timestamp outside the tolerance';
  const expected = Buffer.from(hmacHex(secret, parsed.timestampSec, rawBody), 'hex');
  const matches = parsed.signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? undefined : 'signature does not match';
}

/** True when `header` is a valid signature of exactly `rawBody` made within the tolerance. */
export function verifySignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Uint8Array,
  toleranceSec: number,
  now: Date | number,
): boolean {
  return signatureProblem(secret, header, rawBody, toleranceSec, now) === undefined;
}
