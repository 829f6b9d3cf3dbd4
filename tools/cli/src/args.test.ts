import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocation, UsageError, type Command } from './args.js';

const command = (...argv: string[]): Command => parseInvocation(argv).command;

function usageError(argv: string[], message: RegExp, usage = /usage/): void {
  assert.throws(
    () => parseInvocation(argv),
    (err: unknown) => err instanceof UsageError && message.test(err.message) && usage.test(err.usage),
    `expected a usage error matching ${message} for: kera ${argv.join(' ')}`,
  );
}

describe('kera jobs submit', () => {
  it('parses every field', () => {
    assert.deepEqual(
      command(
        'jobs', 'submit', '--pickup', '60.1850,24.8270', '--dropoff', '60.1880, 24.8330', '--size', '2', '--priority=-3',
        '--operator', 'acme', '--earliest-pickup', '2025-05-01T12:00:00Z', '--latest-delivery', '2025-05-01T17:00+03:00', '--request-id', 'req-1',
      ),
      {
        kind: 'jobs.submit',
        requestId: 'req-1',
        operatorId: 'acme',
        pickup: { lat: 60.185, lon: 24.827 },
        dropoff: { lat: 60.188, lon: 24.833 },
        size: 2,
        priority: -3,
        earliestPickup: new Date('2025-05-01T12:00:00Z'),
        latestDelivery: new Date('2025-05-01T14:00:00Z'),
      },
    );
  });

  it('defaults size 1, priority 0, the token operator (empty), and leaves the request id to be generated', () => {
    const parsed = command('jobs', 'submit', '--pickup', '60.185,24.827', '--dropoff', '60.188,24.833');
    assert.equal(parsed.kind, 'jobs.submit');
    assert.ok(parsed.kind === 'jobs.submit');
    assert.equal(parsed.size, 1);
    assert.equal(parsed.priority, 0);
    assert.equal(parsed.operatorId, '', "the server takes the operator from the caller's token");
    assert.equal(parsed.requestId, undefined);
    assert.equal(parsed.latestDelivery, undefined);
  });

  it('names what is wrong, with the command usage', () => {
    const submit = /kera jobs submit --pickup/;
    usageError(['jobs', 'submit', '--dropoff', '60.188,24.833'], /--pickup is required/, submit);
    usageError(['jobs', 'submit', '--pickup', '60.185', '--dropoff', '60.188,24.833'], /--pickup expects LAT,LON/, submit);
    usageError(['jobs', 'submit', '--pickup', '160.185,24.8', '--dropoff', '60.188,24.833'], /latitude must be within/, submit);
    usageError(['jobs', 'submit', '--pickup', '60.185,24.8', '--dropoff', '60.188,24.833', '--size', '0'], /--size expects a whole number from 1/);
    usageError(['jobs', 'submit', '--pickup', '60.185,24.8', '--dropoff', '60.188,24.833', '--size', '1.5'], /--size/);
    usageError(['jobs', 'submit', '--pickup', '60.185,24.8', '--dropoff', '60.188,24.833', '--latest-delivery', 'tomorrow'], /ISO 8601/);
    usageError(['jobs', 'submit', '--pickup', '60.185,24.8', '--dropoff', '60.188,24.833', '--colour', 'red'], /Unknown option '--colour'/);
    // A negative value must be attached with '=' so it is not taken for an option.
    usageError(['jobs', 'submit', '--pickup', '60.185,24.8', '--dropoff', '60.188,24.833', '--priority', '-3'], /--priority/);
  });
});

describe('kera jobs get | list | cancel | watch', () => {
  it('reads the job id', () => {
    assert.deepEqual(command('jobs', 'get', 'job-1'), { kind: 'jobs.get', jobId: 'job-1' });
    usageError(['jobs', 'get'], /missing <job-id>/, /kera jobs get <job-id>/);
    usageError(['jobs', 'get', ''], /<job-id> must not be empty/);
    usageError(['jobs', 'get', 'a', 'b'], /unexpected argument 'b'/);
  });

  it('takes statuses by name, comma-separated or repeated, in any case', () => {
    assert.deepEqual(command('jobs', 'list', '--status', 'queued,DISPATCHED', '--status', 'job_status_failed', '--operator', 'acme', '--limit', '20'), {
      kind: 'jobs.list',
      statuses: ['QUEUED', 'DISPATCHED', 'FAILED'],
      operatorId: 'acme',
      limit: 20,
    });
    assert.deepEqual(command('jobs', 'list'), { kind: 'jobs.list', statuses: [], operatorId: '', limit: 0 });
    usageError(['jobs', 'list', '--status', 'LOST'], /unknown status 'LOST'; one of CREATED, QUEUED/);
  });

  it('cancels with a reason, or a default one', () => {
    assert.deepEqual(command('jobs', 'cancel', 'job-1', '--reason', 'customer called'), { kind: 'jobs.cancel', jobId: 'job-1', reason: 'customer called' });
    const parsed = command('jobs', 'cancel', 'job-1');
    assert.ok(parsed.kind === 'jobs.cancel' && parsed.reason.length > 0);
  });

  it('watches one job or all', () => {
    assert.deepEqual(command('jobs', 'watch', 'job-1'), { kind: 'jobs.watch', jobId: 'job-1' });
    assert.deepEqual(command('jobs', 'watch'), { kind: 'jobs.watch', jobId: '' });
  });
});

describe('kera vehicles and webhooks', () => {
  it('maps the vehicle verbs to instant actions', () => {
    assert.deepEqual(command('vehicles', 'pause', 'robot-1'), { kind: 'vehicles.action', vehicleId: 'robot-1', action: 'PAUSE' });
    assert.deepEqual(command('vehicles', 'resume', 'robot-1'), { kind: 'vehicles.action', vehicleId: 'robot-1', action: 'RESUME' });
    assert.deepEqual(command('vehicles', 'cancel-order', 'robot-1'), { kind: 'vehicles.action', vehicleId: 'robot-1', action: 'CANCEL_ORDER' });
    assert.deepEqual(command('vehicles', 'state', 'robot-1'), { kind: 'vehicles.action', vehicleId: 'robot-1', action: 'STATE_REQUEST' });
    assert.deepEqual(command('vehicles', 'list'), { kind: 'vehicles.list' });
    usageError(['vehicles', 'pause'], /missing <vehicle-id>/);
  });

  it('subscribes a webhook with event patterns', () => {
    assert.deepEqual(command('webhooks', 'subscribe', '--url', 'http://localhost:9000/hook', '--events', 'job.*,vehicle.offline', '--events', 'incident.*'), {
      kind: 'webhooks.subscribe',
      url: 'http://localhost:9000/hook',
      operatorId: '',
      eventTypes: ['job.*', 'vehicle.offline', 'incident.*'],
      secret: '',
    });
    usageError(['webhooks', 'subscribe'], /--url is required/);
    usageError(['webhooks', 'subscribe', '--url', 'ftp://example.com'], /http or https/);
    usageError(['webhooks', 'subscribe', '--url', 'example.com/hook'], /absolute URL/);
    assert.deepEqual(command('webhooks', 'delete', 'sub-1'), { kind: 'webhooks.delete', subscriptionId: 'sub-1' });
    assert.deepEqual(command('webhooks', 'list', '--operator', 'acme'), { kind: 'webhooks.list', operatorId: 'acme' });
  });
});

describe('kera: global flags, help and unknown commands', () => {
  it('accepts --json before the command or after it', () => {
    assert.equal(parseInvocation(['--json', 'vehicles', 'list']).json, true);
    assert.equal(parseInvocation(['vehicles', 'list', '--json']).json, true);
    assert.equal(parseInvocation(['vehicles', 'list']).json, false);
  });

  it('takes --token before the command or after it', () => {
    assert.equal(parseInvocation(['--token', 'a.b.c', 'vehicles', 'list']).token, 'a.b.c');
    assert.equal(parseInvocation(['--token=a.b.c', '--json', 'vehicles', 'list']).token, 'a.b.c');
    assert.equal(parseInvocation(['vehicles', 'list', '--token', 'x.y.z']).token, 'x.y.z');
    assert.equal(parseInvocation(['vehicles', 'list']).token, undefined);
    usageError(['--token'], /argument missing/);
  });

  it('shows help on request', () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const parsed = command(...argv);
      assert.ok(parsed.kind === 'help' && /kera jobs submit/.test(parsed.text) && /kera webhooks delete/.test(parsed.text));
    }
    const group = command('jobs', '--help');
    assert.ok(group.kind === 'help' && /kera jobs watch/.test(group.text) && !/vehicles/.test(group.text));
    const one = command('jobs', 'submit', '--help');
    assert.ok(one.kind === 'help' && /--latest-delivery/.test(one.text));
    const leading = command('--help', 'jobs', 'list');
    assert.ok(leading.kind === 'help' && /--status/.test(leading.text));
  });

  it('rejects what it does not know', () => {
    usageError([], /no command given/);
    usageError(['trucks', 'list'], /unknown command group 'trucks'/);
    usageError(['jobs'], /kera jobs needs a command/, /kera jobs submit/);
    usageError(['jobs', 'delete', 'x'], /unknown command 'jobs delete'/, /kera jobs cancel/);
  });
});

describe('kera tokens', () => {
  it('issues for exactly one of an operator, a vehicle or an admin, with a ttl', () => {
    assert.deepEqual(command('tokens', 'issue', '--operator', 'acme'), {
      kind: 'tokens.issue',
      principal: { scope: 'operator', operatorId: 'acme' },
      ttlSeconds: 12 * 3600,
      key: undefined,
    });
    assert.deepEqual(command('tokens', 'issue', '--vehicle', 'robot-1', '--ttl', '7d', '--key', 'k.json'), {
      kind: 'tokens.issue',
      principal: { scope: 'vehicle', vehicleId: 'robot-1' },
      ttlSeconds: 7 * 86_400,
      key: 'k.json',
    });
    assert.deepEqual(command('tokens', 'issue', '--admin', '--ttl', '30m'), {
      kind: 'tokens.issue',
      principal: { scope: 'admin', adminId: 'admin' },
      ttlSeconds: 1800,
      key: undefined,
    });
    const named = command('tokens', 'issue', '--admin', 'ops-anna');
    assert.ok(named.kind === 'tokens.issue' && named.principal.scope === 'admin' && named.principal.adminId === 'ops-anna');
  });

  it('names what is wrong', () => {
    usageError(['tokens', 'issue'], /exactly one of --operator ID, --vehicle ID, --admin/);
    usageError(['tokens', 'issue', '--operator', 'a', '--admin'], /exactly one/);
    usageError(['tokens', 'issue', '--operator', 'a b'], /--operator: 1-64 characters/);
    usageError(['tokens', 'issue', '--operator', 'a', '--ttl', 'forever'], /--ttl expects a duration like 30m/);
    usageError(['tokens', 'issue', '--operator', 'a', '--ttl', '400d'], /at most 366d/);
    usageError(['tokens', 'issue', '--operator', 'a', 'extra'], /unexpected argument 'extra'/);
  });

  it('generates keys into .kera unless told otherwise', () => {
    assert.deepEqual(command('tokens', 'keygen'), { kind: 'tokens.keygen', dir: '.kera', kid: undefined });
    assert.deepEqual(command('tokens', 'keygen', '--dir', 'keys', '--kid', 'k2'), { kind: 'tokens.keygen', dir: 'keys', kid: 'k2' });
  });
});
