import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, keyValuesFlow, normalizedFlow, roadSegment } from '../../../test/fixtures/ngsi.js';
import { splitNgsiMessage } from './message.js';

describe('splitNgsiMessage', () => {
  it('reads a single entity, a batch array and a context-broker notification', () => {
    const one = splitNgsiMessage(bytes(normalizedFlow()));
    assert.ok(one.ok);
    assert.equal(one.entities.length, 1);

    const batch = splitNgsiMessage(bytes([normalizedFlow(), keyValuesFlow(), roadSegment('closed')]));
    assert.ok(batch.ok);
    assert.equal(batch.entities.length, 3);

    const notification = splitNgsiMessage(
      bytes({
        id: 'urn:ngsi-ld:Notification:1',
        type: 'Notification',
        subscriptionId: 'urn:ngsi-ld:Subscription:traffic',
        notifiedAt: '2025-05-06T07:15:01Z',
        data: [keyValuesFlow(), roadSegment('open')],
      }),
    );
    assert.ok(notification.ok);
    assert.equal(notification.entities.length, 2);
  });

  const rejections: Array<[string, Buffer | null, string, RegExp]> = [
    ['no value', null, 'invalid_json', /^message has no value/],
    ['an empty value', Buffer.alloc(0), 'invalid_json', /^message has no value/],
    ['broken JSON', Buffer.from('{"id": "urn:x", "type": '), 'invalid_json', /^not valid JSON: /],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_json', /^not valid JSON: bytes are not UTF-8/],
    ['a bare number', Buffer.from('42'), 'schema', /^\(root\): expected an NGSI-LD entity object or an array of entities, got 42/],
    ['an empty batch', Buffer.from('[]'), 'schema', /^\(root\): expected at least one entity in the array/],
    ['a notification without data', bytes({ type: 'Notification', data: [] }), 'schema', /^data: expected the notification's entities as a non-empty array/],
  ];
  for (const [name, value, code, reason] of rejections) {
    it(`rejects ${name} as ${code}`, () => {
      const result = splitNgsiMessage(value);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.rejection.code, code);
      assert.match(result.rejection.reason, reason);
    });
  }

  it('accepts a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(keyValuesFlow())]);
    assert.ok(splitNgsiMessage(withBom).ok);
  });
});
