import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDestinationPolicy, nonPublicReason, parseAllowEntry } from './destination-policy.js';

describe('destination policy', () => {
  it('names the range of every non-public address and passes public ones', () => {
    const cases: Array<[string, string | undefined]> = [
      ['93.184.216.34', undefined],
      ['2606:2800:220:1:248:1893:25c8:1946', undefined],
      ['127.0.0.1', 'a loopback address'],
      ['::1', 'a loopback address'],
      ['::ffff:127.0.0.1', 'a loopback address'],
      ['10.0.0.8', 'a private address'],
      ['172.16.4.1', 'a private address'],
      ['192.168.0.1', 'a private address'],
      ['fd12::1', 'a private address'],
      ['100.64.0.1', 'a private (carrier-grade NAT) address'],
      ['169.254.1.1', 'a link-local address'],
      ['fe80::1', 'a link-local address'],
      ['169.254.169.254', 'a cloud metadata address'],
      ['168.63.129.16', 'a cloud metadata address'],
      ['fd00:ec2::254', 'a cloud metadata address'],
      ['0.0.0.0', 'an unspecified address'],
      ['224.0.0.1', 'a multicast address'],
    ];
    for (const [address, reason] of cases) assert.equal(nonPublicReason(address), reason, address);
  });

  it('lets the allowlist name hosts, host:port, addresses and ranges', () => {
    const policy = createDestinationPolicy(['receiver.internal', '127.0.0.1:8088', '10.1.0.0/16', '[::1]:9000']);
    assert.equal(policy.problem('receiver.internal', 443, '10.9.9.9'), undefined, 'by host name, whatever it resolves to');
    assert.equal(policy.problem('127.0.0.1', 8088, '127.0.0.1'), undefined);
    assert.match(policy.problem('127.0.0.1', 9103, '127.0.0.1') ?? '', /^127\.0\.0\.1 is a loopback address/, 'another port');
    assert.equal(policy.problem('db.corp', 5432, '10.1.2.3'), undefined, 'inside the range');
    assert.match(policy.problem('db.corp', 5432, '10.2.0.1') ?? '', /^db\.corp resolves to 10\.2\.0\.1, a private address/);
    assert.equal(policy.problem('[::1]', 9000, '::1'), undefined);
    assert.equal(policy.problem('example.com', 443, '93.184.216.34'), undefined);
  });

  it('rejects malformed allowlist entries', () => {
    assert.throws(() => parseAllowEntry('10.0.0.0/99'), /is not a valid CIDR range/);
    assert.throws(() => parseAllowEntry('has space:80'), /is not a host/);
  });
});
