import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeJsonPayload } from './payload.js';

const limits = { maxBytes: 1_000 };

describe('payload decoding', () => {
  it('reads plain JSON, gzip and base64 gzip when compression is allowed', () => {
    const doc = { type: 'Feature', properties: { situationId: 'x' } };
    const bytes = Buffer.from(JSON.stringify(doc));
    assert.deepEqual(decodeJsonPayload(bytes, limits, true), { ok: true, json: doc });
    assert.deepEqual(decodeJsonPayload(gzipSync(bytes), limits, true), { ok: true, json: doc });
    assert.deepEqual(decodeJsonPayload(Buffer.from(gzipSync(bytes).toString('base64')), limits, true), { ok: true, json: doc });
  });

  it('refuses a gzip body that inflates past the limit without inflating it all', () => {
    const bomb = gzipSync(Buffer.alloc(50_000_000, 0x20));
    assert.ok(bomb.length < 1_000_000);
    const out = decodeJsonPayload(bomb, { maxBytes: 100_000 }, true);
    assert.deepEqual(out, { ok: false, rejection: { code: 'too_large', reason: `gzip body inflates to more than the 100000 bytes ingest accepts (compressed ${bomb.length} bytes)` } });
  });

  it('treats gzip as invalid JSON where the format is not compressed, and measures size first', () => {
    assert.equal((decodeJsonPayload(gzipSync(Buffer.from('{}')), limits) as { rejection: { code: string } }).rejection.code, 'invalid_json');
    assert.deepEqual(decodeJsonPayload(Buffer.alloc(1_001, 0x20), limits), { ok: false, rejection: { code: 'too_large', reason: 'message is 1001 bytes, larger than the 1000 bytes ingest accepts' } });
    assert.equal((decodeJsonPayload(null, limits) as { rejection: { code: string } }).rejection.code, 'invalid_json');
  });
});
