import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError, PermissionDeniedError, ValidationError } from '@kera/platform';
import type { Job } from '../domain/types.js';
import { actingOperator, createJobAccess, type Actor } from './access.js';
import type { JobUseCases, SubmitJobCommand } from './jobs.js';

const acme: Actor = { kind: 'operator', operatorId: 'acme' };
const admin: Actor = { kind: 'admin' };

/** Use cases that remember what they were asked; one job owned by "globex". */
function fakeJobs() {
  const submitted: SubmitJobCommand[] = [];
  const globexJob = { id: 'job-1', operatorId: 'globex', status: 'QUEUED' } as Job;
  const jobs: JobUseCases = {
    submitJob: (cmd) => (submitted.push(cmd), Promise.resolve({ ...globexJob, operatorId: cmd.operatorId })),
    cancelJob: () => Promise.resolve({ ...globexJob, status: 'CANCELLED' }),
    getJob: (id) => (id === globexJob.id ? Promise.resolve(globexJob) : Promise.reject(new NotFoundError(`job ${id} not found`))),
    listJobs: (filter) => Promise.resolve(filter.operatorId === 'globex' || filter.operatorId === undefined ? [globexJob] : []),
  };
  return { jobs, submitted };
}

const submission = (operatorId: string): SubmitJobCommand => ({
  requestId: 'r-1',
  operatorId,
  pickup: { lat: 60.18, lon: 24.82 },
  dropoff: { lat: 60.19, lon: 24.83 },
  size: 1,
  priority: 0,
  earliestPickup: undefined,
  latestDelivery: undefined,
});

describe('job access', () => {
  it('acts for the token operator; an admin must name one', () => {
    assert.equal(actingOperator(acme, ''), 'acme');
    assert.equal(actingOperator(acme, 'acme'), 'acme');
    assert.throws(() => actingOperator(acme, 'globex'), PermissionDeniedError);
    assert.equal(actingOperator(admin, 'globex'), 'globex');
    assert.throws(() => actingOperator(admin, ''), ValidationError);
  });

  it('submits as the operator, with its request id scoped to it', async () => {
    const { jobs, submitted } = fakeJobs();
    const job = await createJobAccess(jobs).submitJob(acme, submission(''));
    assert.equal(job.operatorId, 'acme');
    assert.equal(submitted[0]?.requestId, 'acme/r-1');
  });

  it("answers another operator's job as not found, for get and cancel alike", async () => {
    const access = createJobAccess(fakeJobs().jobs);
    await assert.rejects(access.getJob(acme, 'job-1'), (err: unknown) => err instanceof NotFoundError && err.message === 'job job-1 not found');
    await assert.rejects(access.cancelJob(acme, 'job-1', 'x'), NotFoundError);
    assert.equal((await access.cancelJob(admin, 'job-1', 'x')).status, 'CANCELLED');
  });

  it('lists only the operator’s jobs; an admin lists all or one operator', async () => {
    const access = createJobAccess(fakeJobs().jobs);
    assert.deepEqual(await access.listJobs(acme, { statuses: [], operatorId: '' }), []);
    await assert.rejects(access.listJobs(acme, { statuses: [], operatorId: 'globex' }), PermissionDeniedError);
    assert.equal((await access.listJobs(admin, { statuses: [], operatorId: '' })).length, 1);
  });
});
