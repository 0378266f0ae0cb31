import { describe, expect, it } from 'vitest';
import { FfrtmpError } from './errors.js';
import {
  assertHolder,
  assign,
  backoffMs,
  canRunOn,
  cancel,
  DEFAULT_BACKOFF,
  expireLease,
  finish,
  isReady,
  type Job,
  leaseExpired,
  renew,
  retry,
} from './job.js';
import { parseJobParameters } from './job-parameters.js';
import { toJob } from './records.js';

const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;

function queuedJob(overrides: Partial<Job> = {}): Job {
  const job = toJob(
    {
      id: 'job-1',
      scenario: '1080p-h264',
      confidence: 'auto',
      parameters: parseJobParameters({ duration: 60, bitrate: '5000k' }),
      priority: 'medium',
      max_retries: 3,
      run_id: null,
      target_node_id: null,
    },
    T0,
  );
  return { ...job, ...overrides };
}

const assignedJob = (overrides: Partial<Job> = {}) =>
  assign(queuedJob(overrides), 'node-a', T0 + 10, LEASE_MS);
function runningJob(overrides: Partial<Job> = {}): Job {
  const job = assignedJob(overrides);
  return renew(job, { nodeId: 'node-a', attempt: job.attempt, progress: 0.1 }, T0 + 20, LEASE_MS);
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof FfrtmpError) return error.code;
    throw error;
  }
  throw new Error('expected a coded error');
}

describe('toJob', () => {
  it('starts queued at attempt 1 with the encoder it requires', () => {
    const job = queuedJob();
    expect(job).toMatchObject({
      status: 'queued',
      attempt: 1,
      retry_count: 0,
      node_id: null,
      created_at: T0,
    });
    expect(job.requires).toEqual(['libx264']);
  });
});

describe('assign: queued → assigned', () => {
  it('leases the job to the node', () => {
    const job = assignedJob();
    expect(job).toMatchObject({
      status: 'assigned',
      node_id: 'node-a',
      assigned_at: T0 + 10,
      lease_expires_at: T0 + 10 + LEASE_MS,
      not_before: null,
    });
  });

  it.each(['assigned', 'running', 'completed', 'failed', 'canceled'] as const)(
    'refuses a %s job',
    (status) => {
      expect(codeOf(() => assign(queuedJob({ status }), 'node-b', T0, LEASE_MS))).toBe(
        'E_INVALID_TRANSITION',
      );
    },
  );
});

describe('renew: assigned → running, running → running', () => {
  it('marks the job running on the first report and extends the lease', () => {
    const job = runningJob();
    expect(job).toMatchObject({
      status: 'running',
      started_at: T0 + 20,
      progress: 0.1,
      lease_expires_at: T0 + 20 + LEASE_MS,
    });
  });

  it('keeps started_at and never moves progress backwards, capping it at 1', () => {
    const later = renew(runningJob(), { nodeId: 'node-a', progress: 0.05 }, T0 + 5000, LEASE_MS);
    expect(later).toMatchObject({
      started_at: T0 + 20,
      progress: 0.1,
      lease_expires_at: T0 + 5000 + LEASE_MS,
    });
    expect(renew(later, { nodeId: 'node-a', progress: 1.7 }, T0 + 6000, LEASE_MS).progress).toBe(1);
  });

  it('refuses a report for a canceled job from its holder with E_INVALID_TRANSITION', () => {
    const canceled = cancel(runningJob(), T0 + 100);
    expect(codeOf(() => renew(canceled, { nodeId: 'node-a', attempt: 1 }, T0 + 200, LEASE_MS))).toBe(
      'E_INVALID_TRANSITION',
    );
  });
});

describe('finish: assigned|running → completed | failed', () => {
  it('completes a running job', () => {
    const job = finish(runningJob(), { nodeId: 'node-a', attempt: 1, status: 'completed' }, T0 + 60_000);
    expect(job).toMatchObject({
      status: 'completed',
      completed_at: T0 + 60_000,
      progress: 1,
      error: null,
      lease_expires_at: null,
    });
  });

  it('fails a running job with its error, or a default one', () => {
    const failed = finish(runningJob(), { nodeId: 'node-a', status: 'failed', error: 'exit 137' }, T0 + 5);
    expect(failed).toMatchObject({ status: 'failed', error: 'exit 137', progress: 0.1 });
    const silent = finish(runningJob(), { nodeId: 'node-a', status: 'failed' }, T0 + 5);
    expect(silent.error).toBe('failed without an error message');
  });

  it('completes an assigned job that never reported progress, setting started_at', () => {
    const job = finish(assignedJob(), { nodeId: 'node-a', status: 'completed' }, T0 + 99);
    expect(job).toMatchObject({ status: 'completed', started_at: T0 + 99 });
  });

  it('refuses a second result for a completed job', () => {
    const done = finish(runningJob(), { nodeId: 'node-a', status: 'completed' }, T0 + 99);
    expect(codeOf(() => finish(done, { nodeId: 'node-a', status: 'failed' }, T0 + 100))).toBe(
      'E_INVALID_TRANSITION',
    );
  });
});

describe('cancel', () => {
  it.each([
    ['queued', queuedJob],
    ['assigned', assignedJob],
    ['running', runningJob],
  ] as const)('cancels a %s job', (_status, make) => {
    const job = cancel(make(), T0 + 500, 'operator');
    expect(job).toMatchObject({
      status: 'canceled',
      completed_at: T0 + 500,
      lease_expires_at: null,
      error: 'operator',
    });
  });

  it('uses a default reason', () => {
    expect(cancel(queuedJob(), T0).error).toBe('canceled by user');
  });

  it.each(['completed', 'failed', 'canceled'] as const)('refuses to cancel a %s job', (status) => {
    expect(codeOf(() => cancel(queuedJob({ status }), T0))).toBe('E_INVALID_TRANSITION');
  });
});

describe('retry: failed|canceled → queued', () => {
  it.each(['failed', 'canceled'] as const)('requeues a %s job as the next attempt', (status) => {
    const before = { ...runningJob(), status, completed_at: T0 + 1000, error: 'boom' };
    const job = retry(before);
    expect(job).toMatchObject({
      status: 'queued',
      attempt: 2,
      retry_count: 0,
      node_id: null,
      progress: 0,
      error: null,
      assigned_at: null,
      started_at: null,
      completed_at: null,
      lease_expires_at: null,
      not_before: null,
    });
    expect(isReady(job, T0)).toBe(true);
  });

  it.each(['queued', 'assigned', 'running', 'completed'] as const)('refuses to retry a %s job', (status) => {
    expect(codeOf(() => retry(queuedJob({ status })))).toBe('E_INVALID_TRANSITION');
  });
});

describe('expireLease', () => {
  const expiry = T0 + 20 + LEASE_MS;

  it('sees the lease as expired at its expiry time, not before', () => {
    expect(leaseExpired(runningJob(), expiry - 1)).toBe(false);
    expect(leaseExpired(runningJob(), expiry)).toBe(true);
    expect(leaseExpired(queuedJob(), expiry)).toBe(false);
  });

  it('requeues as attempt + 1 with not_before within the first backoff bounds', () => {
    for (const random of [0, 0.5, 0.999]) {
      const job = expireLease(runningJob(), expiry, random);
      expect(job).toMatchObject({
        status: 'queued',
        attempt: 2,
        retry_count: 1,
        node_id: null,
        lease_expires_at: null,
      });
      expect(job.error).toBe('lease expired on node node-a (attempt 1)');
      // First retry with base 2000 ms: equal jitter gives 1000..2000 ms.
      expect(job.not_before).toBeGreaterThanOrEqual(expiry + 1000);
      expect(job.not_before).toBeLessThanOrEqual(expiry + 2000);
      expect(isReady(job, expiry + 999)).toBe(false);
      expect(isReady(job, expiry + 2000)).toBe(true);
    }
  });

  it('expires an assigned job that never started', () => {
    const job = expireLease(assignedJob(), T0 + 10 + LEASE_MS, 0);
    expect(job).toMatchObject({ status: 'queued', attempt: 2, not_before: T0 + 10 + LEASE_MS + 1000 });
  });

  it('fails the job with a reason once max_retries are used up', () => {
    const job = expireLease(runningJob({ retry_count: 3, attempt: 4 }), expiry, 0.5);
    expect(job).toMatchObject({ status: 'failed', completed_at: expiry, lease_expires_at: null, attempt: 4 });
    expect(job.error).toBe(
      'lease expired on node node-a (attempt 4); gave up after 3 retries (max_retries 3)',
    );
  });

  it('retries three times with max_retries 3, then fails', () => {
    let job = queuedJob();
    let now = T0;
    for (let attempt = 1; attempt <= 3; attempt++) {
      job = assign(job, 'node-a', now, LEASE_MS);
      now += LEASE_MS;
      job = expireLease(job, now, 0);
      expect(job).toMatchObject({ status: 'queued', attempt: attempt + 1 });
      now = job.not_before ?? now;
    }
    job = expireLease(assign(job, 'node-a', now, LEASE_MS), now + LEASE_MS, 0);
    expect(job.status).toBe('failed');
  });

  it('refuses a job whose lease is still live', () => {
    expect(codeOf(() => expireLease(runningJob(), expiry - 1, 0))).toBe('E_INVALID_TRANSITION');
  });
});

describe('fencing', () => {
  it('rejects a report for an old attempt with E_STALE_ATTEMPT', () => {
    const requeued = expireLease(runningJob(), T0 + 20 + LEASE_MS, 0);
    const reassigned = assign(requeued, 'node-a', requeued.not_before ?? 0, LEASE_MS);
    expect(codeOf(() => renew(reassigned, { nodeId: 'node-a', attempt: 1 }, T0 + 99_000, LEASE_MS))).toBe(
      'E_STALE_ATTEMPT',
    );
    expect(codeOf(() => finish(reassigned, { nodeId: 'node-a', attempt: 1, status: 'completed' }, T0))).toBe(
      'E_STALE_ATTEMPT',
    );
  });

  it('rejects a report from a node that does not hold the job', () => {
    expect(codeOf(() => renew(runningJob(), { nodeId: 'node-b', attempt: 1 }, T0, LEASE_MS))).toBe(
      'E_STALE_ATTEMPT',
    );
    expect(codeOf(() => finish(runningJob(), { nodeId: 'node-b', status: 'completed' }, T0))).toBe(
      'E_STALE_ATTEMPT',
    );
  });

  it('rejects a late result from the presumed-dead holder after a requeue', () => {
    const requeued = expireLease(runningJob(), T0 + 20 + LEASE_MS, 0);
    expect(codeOf(() => finish(requeued, { nodeId: 'node-a', status: 'completed' }, T0))).toBe(
      'E_STALE_ATTEMPT',
    );
  });

  it('counts a report without an attempt for the holder', () => {
    expect(() => assertHolder(runningJob(), 'node-a', undefined)).not.toThrow();
    const done = finish(runningJob(), { nodeId: 'node-a', status: 'completed' }, T0 + 1);
    expect(done.status).toBe('completed');
  });

  it('says who holds the job in the message', () => {
    expect(() => assertHolder(runningJob(), 'node-b', 1)).toThrow(
      'job job-1 attempt 1 is held by node node-a; report from node node-b for attempt 1 is stale',
    );
  });
});

describe('backoffMs (equal jitter)', () => {
  const options = { baseMs: 2000, capMs: 300_000 };

  it('retry 1: random 0 → 1000, random 1 → 2000', () => {
    expect(backoffMs(1, 0, options)).toBe(1000);
    expect(backoffMs(1, 1, options)).toBe(2000);
  });

  it('retry 3, random 0.5 → 6000 (exp 8000: 4000 fixed + 2000 jitter)', () => {
    expect(backoffMs(3, 0.5, options)).toBe(6000);
  });

  it('caps the exponential at capMs', () => {
    // Retry 20 would be 2000·2^19 ≈ 1.05e9 ms; capped at 300000 → 150000..300000.
    expect(backoffMs(20, 0, options)).toBe(150_000);
    expect(backoffMs(20, 1, options)).toBe(300_000);
    expect(backoffMs(4, 1, { baseMs: 2000, capMs: 10_000 })).toBe(10_000);
  });

  it('clamps random into [0, 1]', () => {
    expect(backoffMs(1, -3, options)).toBe(1000);
    expect(backoffMs(1, 7, options)).toBe(2000);
  });

  it('uses base 2000 ms and cap 300000 ms by default', () => {
    expect(DEFAULT_BACKOFF).toEqual(options);
    expect(backoffMs(2, 0)).toBe(2000);
  });
});

describe('canRunOn', () => {
  it('needs every required encoder', () => {
    expect(canRunOn({ requires: ['h264_nvenc'] }, ['libx264', 'h264_nvenc'])).toBe(true);
    expect(canRunOn({ requires: ['h264_nvenc'] }, ['libx264'])).toBe(false);
    expect(canRunOn({ requires: [] }, [])).toBe(true);
  });
});
