import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ErrorCode, FfrtmpError } from '../core/errors.js';
import { type Job, type Priority, retry } from '../core/job.js';
import { parseJobParameters } from '../core/job-parameters.js';
import type { NodeRegistration } from '../core/node.js';
import type { NewJob, NewRun, ResultUpload } from '../core/records.js';
import type { ClaimOptions, LeaseOptions, ReapOptions, Store } from './port.js';

/**
 * The one contract every Store adapter must pass (STYLE: real databases through one suite, never a
 * mock). It speaks only the port: the SQLite adapter runs it in sqlite/sqlite-store.test.ts and the
 * PostgreSQL adapter will run the very same suite. Time is a fake clock of plain epoch-ms numbers.
 *
 * One file on purpose, past the usual ~400 lines: the suite is a single checklist of the port's
 * promises, and an adapter author reads it top to bottom.
 */

export interface StoreContractOptions {
  /** Timeout of the concurrency test, which issues a few thousand store calls. Default 60 s. */
  concurrencyTimeoutMs?: number;
}

const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;
const NODE_TIMEOUT_MS = 60_000;
const LEASE: LeaseOptions = { leaseMs: LEASE_MS };
const CLAIM: ClaimOptions = { leaseMs: LEASE_MS };
const REAP: ReapOptions = { random: () => 0.5, nodeTimeoutMs: NODE_TIMEOUT_MS };

const CPU_ENCODERS = ['libx264', 'libx265'];
const GPU_ENCODERS = ['libx264', 'libx265', 'h264_nvenc'];

function registration(overrides: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    address: '10.0.0.1',
    type: 'server',
    cpu_threads: 32,
    cpu_model: 'Test CPU',
    has_gpu: false,
    gpu_type: null,
    ram_bytes: 64 * 1024 ** 3,
    labels: { rack: 'a' },
    encoders: CPU_ENCODERS,
    power_sources: ['rapl'],
    max_concurrent_jobs: 1,
    agent_version: '0.1.0',
    ffmpeg_version: '7.1',
    node_key: null,
    ...overrides,
  };
}

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: randomUUID(),
    scenario: 'contract',
    confidence: 'auto',
    parameters: parseJobParameters({ duration: 60, bitrate: '5000k' }),
    priority: 'medium',
    max_retries: 3,
    run_id: null,
    target_node_id: null,
    ...overrides,
  };
}

function upload(job: Pick<Job, 'id'>, nodeId: string, overrides: Partial<ResultUpload> = {}): ResultUpload {
  return {
    job_id: job.id,
    node_id: nodeId,
    status: 'completed',
    completed_at: T0,
    error: null,
    metrics: { transcode_duration_sec: 60, frames_encoded: 1800, encoding_fps: 30 },
    power: { mean_watts: 42.5 },
    energy: null,
    quality: null,
    samples: [{ t: 0, watts: 42 }],
    analyzer_output: null,
    ...overrides,
  };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<FfrtmpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected an FfrtmpError ${code}`).toBeInstanceOf(FfrtmpError);
  expect((error as FfrtmpError).code).toBe(code);
  return error as FfrtmpError;
}

export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  opts: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    async function addNode(overrides: Partial<NodeRegistration> = {}, now = T0): Promise<string> {
      return (await store.registerNode(registration(overrides), now)).node.id;
    }

    async function addJobs(count: number, overrides: Partial<NewJob> = {}, now = T0): Promise<Job[]> {
      const jobs: Job[] = [];
      for (let i = 0; i < count; i++) jobs.push(await store.enqueue(newJob(overrides), now + i));
      return jobs;
    }

    async function claim(nodeId: string, now: number): Promise<Job> {
      const job = await store.claimNext(nodeId, now, CLAIM);
      if (job === null) throw new Error(`expected node ${nodeId} to be handed a job at ${now}`);
      return job;
    }

    /** Claims one job with `holder`, lets its lease lapse and reaps it: the job is queued as attempt 2. */
    async function lapseOnce(holder: string, now: number): Promise<Job> {
      const job = await claim(holder, now);
      const report = await store.reclaimExpired(now + LEASE_MS, REAP);
      expect(report.requeued.map((j) => j.id)).toContain(job.id);
      return store.getJob(job.id);
    }

    describe('nodes', () => {
      it('registerNode creates an available node with the registered fields', async () => {
        const reg = registration({ node_key: 'key-1', labels: { rack: 'b' } });
        const { node, created } = await store.registerNode(reg, T0);

        expect(created).toBe(true);
        expect(node).toMatchObject({
          ...reg,
          status: 'available',
          current_job_id: null,
          last_heartbeat: T0,
          registered_at: T0,
        });
        expect(typeof node.id).toBe('string');
        expect(await store.getNode(node.id)).toEqual(node);
      });

      it('re-registering with the same node_key returns the same node and updates its fields', async () => {
        const first = await store.registerNode(registration({ node_key: 'stable' }), T0);
        const again = await store.registerNode(
          registration({
            node_key: 'stable',
            address: '10.0.0.9',
            encoders: GPU_ENCODERS,
            has_gpu: true,
            gpu_type: 'NVIDIA L4',
            max_concurrent_jobs: 4,
            agent_version: '0.2.0',
          }),
          T0 + 5_000,
        );

        expect(again.created).toBe(false);
        expect(again.node.id).toBe(first.node.id);
        expect(again.node).toMatchObject({
          address: '10.0.0.9',
          encoders: GPU_ENCODERS,
          has_gpu: true,
          gpu_type: 'NVIDIA L4',
          max_concurrent_jobs: 4,
          agent_version: '0.2.0',
          status: 'available',
          last_heartbeat: T0 + 5_000,
          registered_at: T0,
        });
        expect((await store.listNodes({}, {})).items.map((n) => n.id)).toEqual([first.node.id]);
      });

      it('registering without a node_key creates a new node every time', async () => {
        const a = await store.registerNode(registration(), T0);
        const b = await store.registerNode(registration(), T0);

        expect(a.created && b.created).toBe(true);
        expect(a.node.id).not.toBe(b.node.id);
        expect((await store.listNodes({}, {})).items).toHaveLength(2);
      });

      it('getNode and heartbeat of an unknown node throw E_NODE_NOT_FOUND', async () => {
        await expectCode(store.getNode(randomUUID()), 'E_NODE_NOT_FOUND');
        await expectCode(store.heartbeat(randomUUID(), T0, LEASE), 'E_NODE_NOT_FOUND');
      });

      it('heartbeat records the time and keeps an idle node available', async () => {
        const id = await addNode();
        const node = await store.heartbeat(id, T0 + 10_000, LEASE);

        expect(node).toMatchObject({ id, status: 'available', last_heartbeat: T0 + 10_000 });
        expect((await store.getNode(id)).last_heartbeat).toBe(T0 + 10_000);
      });

      it('listNodes of an empty store is an empty page', async () => {
        expect(await store.listNodes({}, {})).toEqual({ items: [], next_cursor: null });
        expect(await store.listNodes({ status: 'offline' }, { limit: 5 })).toEqual({
          items: [],
          next_cursor: null,
        });
      });

      it('listNodes pages in registration order with limit and cursor', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await addNode({ address: `10.0.0.${i}` }, T0 + i));

        const first = await store.listNodes({}, { limit: 2 });
        expect(first.items.map((n) => n.id)).toEqual(ids.slice(0, 2));
        expect(first.next_cursor).not.toBeNull();
        const second = await store.listNodes({}, { limit: 2, cursor: first.next_cursor ?? undefined });
        expect(second.items.map((n) => n.id)).toEqual(ids.slice(2, 4));
        const third = await store.listNodes({}, { limit: 2, cursor: second.next_cursor ?? undefined });
        expect(third.items.map((n) => n.id)).toEqual(ids.slice(4));
        expect(third.next_cursor).toBeNull();
      });

      it('listNodes filters by status', async () => {
        const silentA = await addNode({}, T0);
        const silentB = await addNode({}, T0);
        const busy = await addNode({}, T0 + 50_000);
        const fresh = await addNode({}, T0 + 30_000);
        await addJobs(1);
        await claim(busy, T0 + 50_000);
        await store.reclaimExpired(T0 + NODE_TIMEOUT_MS + 1, REAP);

        const ids = async (status: 'available' | 'busy' | 'offline') =>
          (await store.listNodes({ status }, {})).items.map((n) => n.id);
        expect(await ids('offline')).toEqual([silentA, silentB]);
        expect(await ids('busy')).toEqual([busy]);
        expect(await ids('available')).toEqual([fresh]);

        const page = await store.listNodes({ status: 'offline' }, { limit: 1 });
        expect(page.items.map((n) => n.id)).toEqual([silentA]);
        const rest = await store.listNodes(
          { status: 'offline' },
          { limit: 1, cursor: page.next_cursor ?? '' },
        );
        expect(rest.items.map((n) => n.id)).toEqual([silentB]);
        expect(rest.next_cursor).toBeNull();
      });
    });

    describe('jobs', () => {
      it('enqueue stores a queued first attempt that getJob returns', async () => {
        const submitted = newJob({ priority: 'high', max_retries: 5, run_id: 'run-1' });
        const job = await store.enqueue(submitted, T0);

        expect(job).toMatchObject({
          id: submitted.id,
          scenario: 'contract',
          confidence: 'auto',
          parameters: submitted.parameters,
          status: 'queued',
          priority: 'high',
          node_id: null,
          target_node_id: null,
          run_id: 'run-1',
          requires: ['libx264'],
          attempt: 1,
          retry_count: 0,
          max_retries: 5,
          progress: 0,
          error: null,
          created_at: T0,
          assigned_at: null,
          started_at: null,
          completed_at: null,
          lease_expires_at: null,
          not_before: null,
        });
        expect(await store.getJob(job.id)).toEqual(job);
      });

      it('getJob of an unknown job throws E_JOB_NOT_FOUND', async () => {
        await expectCode(store.getJob(randomUUID()), 'E_JOB_NOT_FOUND');
      });

      it('listJobs of an empty store is an empty page', async () => {
        expect(await store.listJobs({}, {})).toEqual({ items: [], next_cursor: null });
      });

      it('listJobs pages in submission (FIFO) order whatever the priority', async () => {
        const priorities: Priority[] = ['low', 'high', 'medium', 'high', 'low', 'medium', 'medium'];
        const ids: string[] = [];
        for (const [i, priority] of priorities.entries())
          ids.push((await store.enqueue(newJob({ priority }), T0 + i)).id);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listJobs({}, { limit: 3, cursor });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((j) => j.id));
          cursor = page.next_cursor ?? undefined;
          pages++;
        } while (cursor !== undefined && pages < 10);

        expect(pages).toBe(3);
        expect(seen).toEqual(ids);
      });

      it('listJobs filters by status, node_id and run_id', async () => {
        const node = await addNode();
        const [inRunA, inRunB] = await addJobs(2, { run_id: 'run-x' });
        const [loose] = await addJobs(1, {}, T0 + 10);
        const held = await claim(node, T0 + 100);
        expect(held.id).toBe(inRunA?.id);

        const ids = async (filter: Parameters<Store['listJobs']>[0]) =>
          (await store.listJobs(filter, {})).items.map((j) => j.id);
        expect(await ids({ status: 'queued' })).toEqual([inRunB?.id, loose?.id]);
        expect(await ids({ status: 'assigned' })).toEqual([held.id]);
        expect(await ids({ node_id: node })).toEqual([held.id]);
        expect(await ids({ node_id: randomUUID() })).toEqual([]);
        expect(await ids({ run_id: 'run-x' })).toEqual([inRunA?.id, inRunB?.id]);
        expect(await ids({ run_id: 'run-x', status: 'queued' })).toEqual([inRunB?.id]);
        expect(await ids({ status: 'completed' })).toEqual([]);

        const page = await store.listJobs({ run_id: 'run-x' }, { limit: 1 });
        expect(page.items.map((j) => j.id)).toEqual([inRunA?.id]);
        const next = await store.listJobs({ run_id: 'run-x' }, { limit: 1, cursor: page.next_cursor ?? '' });
        expect(next.items.map((j) => j.id)).toEqual([inRunB?.id]);
        expect(next.next_cursor).toBeNull();
      });
    });

    describe('claimNext', () => {
      it('returns null when nothing is queued', async () => {
        const node = await addNode();
        expect(await store.claimNext(node, T0, CLAIM)).toBeNull();
        expect((await store.getNode(node)).status).toBe('available');
      });

      it('throws E_NODE_NOT_FOUND for an unknown node', async () => {
        await addJobs(1);
        await expectCode(store.claimNext(randomUUID(), T0, CLAIM), 'E_NODE_NOT_FOUND');
        expect((await store.listJobs({ status: 'queued' }, {})).items).toHaveLength(1);
      });

      it('leases the job to the node: assigned, node_id, lease_expires_at', async () => {
        const node = await addNode();
        const [queued] = await addJobs(1);
        const job = await claim(node, T0 + 1_000);

        expect(job).toMatchObject({
          id: queued?.id,
          status: 'assigned',
          node_id: node,
          attempt: 1,
          assigned_at: T0 + 1_000,
          lease_expires_at: T0 + 1_000 + LEASE_MS,
        });
        expect(await store.getJob(job.id)).toEqual(job);
      });

      it('serves high before medium before low, FIFO within a priority', async () => {
        const node = await addNode({ max_concurrent_jobs: 10 });
        const order: [string, Priority][] = [
          ['low-1', 'low'],
          ['medium-1', 'medium'],
          ['high-1', 'high'],
          ['low-2', 'low'],
          ['high-2', 'high'],
          ['medium-2', 'medium'],
        ];
        const names = new Map<string, string>();
        for (const [i, [label, priority]] of order.entries())
          names.set((await store.enqueue(newJob({ priority }), T0 + i)).id, label);

        const claimed: (string | undefined)[] = [];
        for (let i = 0; i < order.length; i++) claimed.push(names.get((await claim(node, T0 + 100 + i)).id));
        expect(claimed).toEqual(['high-1', 'high-2', 'medium-1', 'medium-2', 'low-1', 'low-2']);
        expect(await store.claimNext(node, T0 + 200, CLAIM)).toBeNull();
      });

      it('never hands a job to a node that lacks its encoder, and does to one that has it', async () => {
        const cpu = await addNode({ encoders: CPU_ENCODERS, max_concurrent_jobs: 5 });
        const gpu = await addNode({ encoders: GPU_ENCODERS, has_gpu: true, max_concurrent_jobs: 5 });
        const nvenc = await store.enqueue(
          newJob({
            priority: 'high',
            parameters: parseJobParameters({ duration: 60, bitrate: '5000k', encoder: 'h264_nvenc' }),
          }),
          T0,
        );
        const [x264] = await addJobs(1, { priority: 'low' }, T0 + 1);
        expect(nvenc.requires).toEqual(['h264_nvenc']);

        // The unrunnable job at the head of the queue does not block the CPU node.
        expect((await claim(cpu, T0 + 10)).id).toBe(x264?.id);
        expect(await store.claimNext(cpu, T0 + 11, CLAIM)).toBeNull();
        expect((await store.getJob(nvenc.id)).status).toBe('queued');

        expect(await claim(gpu, T0 + 12)).toMatchObject({ id: nvenc.id, node_id: gpu });
      });

      it('gives a job pinned with target_node_id only to that node', async () => {
        const other = await addNode();
        const target = await addNode();
        const pinned = await store.enqueue(newJob({ priority: 'high', target_node_id: target }), T0);
        const [free] = await addJobs(1, { priority: 'low' }, T0 + 1);

        expect((await claim(other, T0 + 10)).id).toBe(free?.id);
        expect(await claim(target, T0 + 11)).toMatchObject({ id: pinned.id, node_id: target });
      });

      it('leaves a pinned job queued while its node asks for nothing', async () => {
        const other = await addNode({ max_concurrent_jobs: 3 });
        const target = await addNode();
        const pinned = await store.enqueue(newJob({ target_node_id: target }), T0);

        expect(await store.claimNext(other, T0 + 10, CLAIM)).toBeNull();
        expect((await store.getJob(pinned.id)).status).toBe('queued');
      });

      it('respects max_concurrent_jobs: two, then null, then one more after a result', async () => {
        const node = await addNode({ max_concurrent_jobs: 2 });
        await addJobs(4);

        const first = await claim(node, T0 + 10);
        const second = await claim(node, T0 + 11);
        expect(second.id).not.toBe(first.id);
        expect(await store.claimNext(node, T0 + 12, CLAIM)).toBeNull();
        expect((await store.listJobs({ status: 'queued' }, {})).items).toHaveLength(2);

        await store.submitResult(upload(first, node), T0 + 20);
        const third = await claim(node, T0 + 21);
        expect([first.id, second.id]).not.toContain(third.id);
        expect(await store.claimNext(node, T0 + 22, CLAIM)).toBeNull();
        expect((await store.getNode(node)).status).toBe('busy');
      });

      it('makes the node busy with current_job_id, and available again after its result', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0 + 10);

        expect(await store.getNode(node)).toMatchObject({ status: 'busy', current_job_id: job.id });
        await store.submitResult(upload(job, node), T0 + 20);
        expect(await store.getNode(node)).toMatchObject({ status: 'available', current_job_id: null });
      });
    });

    describe('renewLease', () => {
      it('moves assigned to running, extends the lease and keeps progress monotone', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);

        const running = await store.renewLease(
          { jobId: job.id, nodeId: node, progress: 0.25 },
          T0 + 5_000,
          LEASE,
        );
        expect(running).toMatchObject({
          status: 'running',
          started_at: T0 + 5_000,
          progress: 0.25,
          lease_expires_at: T0 + 5_000 + LEASE_MS,
        });

        const back = await store.renewLease(
          { jobId: job.id, nodeId: node, attempt: 1, progress: 0.1 },
          T0 + 10_000,
          LEASE,
        );
        expect(back).toMatchObject({
          status: 'running',
          started_at: T0 + 5_000,
          progress: 0.25,
          lease_expires_at: T0 + 10_000 + LEASE_MS,
        });

        const bare = await store.renewLease({ jobId: job.id, nodeId: node }, T0 + 15_000, LEASE);
        expect(bare).toMatchObject({ progress: 0.25, lease_expires_at: T0 + 15_000 + LEASE_MS });

        const more = await store.renewLease(
          { jobId: job.id, nodeId: node, progress: 0.75 },
          T0 + 20_000,
          LEASE,
        );
        expect(more.progress).toBe(0.75);
        expect(await store.getJob(job.id)).toEqual(more);
      });

      it('rejects a report from another node with E_STALE_ATTEMPT', async () => {
        const holder = await addNode();
        const intruder = await addNode();
        await addJobs(1);
        const job = await claim(holder, T0);

        await expectCode(
          store.renewLease({ jobId: job.id, nodeId: intruder, progress: 0.5 }, T0 + 1_000, LEASE),
          'E_STALE_ATTEMPT',
        );
        expect(await store.getJob(job.id)).toEqual(job);
      });

      it('rejects a report for another attempt with E_STALE_ATTEMPT', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);

        await expectCode(
          store.renewLease({ jobId: job.id, nodeId: node, attempt: 2 }, T0 + 1_000, LEASE),
          'E_STALE_ATTEMPT',
        );
        expect(await store.getJob(job.id)).toEqual(job);
      });

      it('fences off the previous holder once its lapsed job runs elsewhere', async () => {
        const old = await addNode();
        const fresh = await addNode({}, T0 + LEASE_MS);
        await addJobs(1);
        const requeued = await lapseOnce(old, T0);
        const now = requeued.not_before ?? T0 + LEASE_MS;
        await store.heartbeat(fresh, now, LEASE);
        const retried = await claim(fresh, now);
        expect(retried.attempt).toBe(2);

        for (const attempt of [1, undefined]) {
          await expectCode(
            store.renewLease({ jobId: retried.id, nodeId: old, attempt, progress: 0.9 }, now + 1, LEASE),
            'E_STALE_ATTEMPT',
          );
        }
        expect(await store.getJob(retried.id)).toEqual(retried);
      });

      it('throws E_JOB_NOT_FOUND for an unknown job', async () => {
        const node = await addNode();
        await expectCode(
          store.renewLease({ jobId: randomUUID(), nodeId: node }, T0, LEASE),
          'E_JOB_NOT_FOUND',
        );
      });
    });

    describe('submitResult and results', () => {
      it('stores a completed result and completes the job', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        await store.renewLease({ jobId: job.id, nodeId: node, progress: 0.5 }, T0 + 1_000, LEASE);

        const outcome = await store.submitResult(upload(job, node, { attempt: 1 }), T0 + 2_000);
        expect(outcome.duplicate).toBe(false);
        expect(outcome.job).toMatchObject({
          status: 'completed',
          progress: 1,
          completed_at: T0 + 2_000,
          lease_expires_at: null,
          error: null,
        });
        expect(outcome.result).toMatchObject({
          job_id: job.id,
          node_id: node,
          attempt: 1,
          status: 'completed',
          received_at: T0 + 2_000,
          metrics: { frames_encoded: 1800 },
          samples: [{ t: 0, watts: 42 }],
        });
        expect(await store.getJob(job.id)).toEqual(outcome.job);
        expect(await store.getLatestResult(job.id)).toEqual(outcome.result);
      });

      it('stores a failed result and fails the job with its error', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);

        const outcome = await store.submitResult(
          upload(job, node, { status: 'failed', error: 'ffmpeg exited with code 1', metrics: {} }),
          T0 + 2_000,
        );
        expect(outcome.job).toMatchObject({ status: 'failed', error: 'ffmpeg exited with code 1' });
        expect(outcome.result).toMatchObject({
          status: 'failed',
          error: 'ffmpeg exited with code 1',
          attempt: 1,
        });
        expect((await store.getNode(node)).status).toBe('available');
      });

      it("counts a result without attempt for the holder's attempt", async () => {
        const first = await addNode();
        const second = await addNode({}, T0 + LEASE_MS);
        await addJobs(1);
        const requeued = await lapseOnce(first, T0);
        const now = requeued.not_before ?? T0 + LEASE_MS;
        await store.heartbeat(second, now, LEASE);
        const job = await claim(second, now);

        const outcome = await store.submitResult(upload(job, second), now + 1_000);
        expect(outcome.result.attempt).toBe(2);
        expect(outcome.job).toMatchObject({ status: 'completed', attempt: 2 });
      });

      it('rejects a result of a stale attempt with E_STALE_ATTEMPT and stores nothing', async () => {
        const old = await addNode();
        const fresh = await addNode({}, T0 + LEASE_MS);
        await addJobs(1);
        const requeued = await lapseOnce(old, T0);
        const now = requeued.not_before ?? T0 + LEASE_MS;
        await store.heartbeat(fresh, now, LEASE);
        const retried = await claim(fresh, now);

        await expectCode(
          store.submitResult(upload(retried, old, { attempt: 1 }), now + 1),
          'E_STALE_ATTEMPT',
        );
        await expectCode(store.submitResult(upload(retried, old), now + 2), 'E_STALE_ATTEMPT');
        await expectCode(
          store.submitResult(upload(retried, fresh, { attempt: 1 }), now + 3),
          'E_STALE_ATTEMPT',
        );
        expect(await store.getJob(retried.id)).toEqual(retried);
        expect((await store.listResults({ job_id: retried.id }, {})).items).toEqual([]);
      });

      it('rejects a result for a job that was never handed out', async () => {
        const node = await addNode();
        const [job] = await addJobs(1);
        if (!job) throw new Error('no job');
        await expectCode(store.submitResult(upload(job, node), T0 + 1), 'E_STALE_ATTEMPT');
        expect((await store.getJob(job.id)).status).toBe('queued');
      });

      it('answers a second identical upload of the same attempt with duplicate:true', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        const first = await store.submitResult(upload(job, node, { attempt: 1 }), T0 + 1_000);

        const again = await store.submitResult(upload(job, node, { attempt: 1 }), T0 + 5_000);
        expect(again.duplicate).toBe(true);
        expect(again.result).toEqual(first.result);
        expect(again.job).toEqual(first.job);

        const bare = await store.submitResult(upload(job, node), T0 + 6_000);
        expect(bare.duplicate).toBe(true);
        expect((await store.listResults({ job_id: job.id }, {})).items).toHaveLength(1);
        expect(await store.getJob(job.id)).toEqual(first.job);
      });

      it('keeps every attempt: listResults by job_id, getLatestResult the last', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        await store.submitResult(
          upload(job, node, { status: 'failed', error: 'encoder crashed' }),
          T0 + 1_000,
        );
        const retried = await store.retryJob(job.id, T0 + 2_000);
        const again = await claim(node, T0 + 3_000);
        expect(again).toMatchObject({ id: job.id, attempt: retried.attempt });
        const done = await store.submitResult(upload(again, node), T0 + 4_000);

        const results = await store.listResults({ job_id: job.id }, {});
        expect(results.items.map((r) => [r.attempt, r.status])).toEqual([
          [1, 'failed'],
          [2, 'completed'],
        ]);
        expect(await store.getLatestResult(job.id)).toEqual(done.result);
      });

      it('filters results by job_id, node_id and run_id, and pages them', async () => {
        const a = await addNode({ max_concurrent_jobs: 5 });
        const b = await addNode({ max_concurrent_jobs: 5 });
        const [runFirst, runSecond] = await addJobs(2, { run_id: 'run-r' });
        await addJobs(1, {}, T0 + 10);
        const jobs = [await claim(a, T0 + 20), await claim(b, T0 + 21), await claim(a, T0 + 22)];
        for (const [i, job] of jobs.entries())
          await store.submitResult(upload(job, job.node_id ?? ''), T0 + 100 + i);

        const jobIds = async (filter: Parameters<Store['listResults']>[0]) =>
          (await store.listResults(filter, {})).items.map((r) => r.job_id);
        expect(await jobIds({ run_id: 'run-r' })).toEqual([runFirst?.id, runSecond?.id]);
        expect(await jobIds({ run_id: 'run-none' })).toEqual([]);
        expect(await jobIds({ job_id: runSecond?.id })).toEqual([runSecond?.id]);
        expect(await jobIds({ node_id: a })).toEqual([jobs[0]?.id, jobs[2]?.id]);
        expect(await jobIds({})).toHaveLength(3);

        const page = await store.listResults({}, { limit: 2 });
        expect(page.items).toHaveLength(2);
        const rest = await store.listResults({}, { limit: 2, cursor: page.next_cursor ?? '' });
        expect(rest.items).toHaveLength(1);
        expect(rest.next_cursor).toBeNull();
      });

      it('getLatestResult of a job without result throws E_RESULT_NOT_FOUND, of no job E_JOB_NOT_FOUND', async () => {
        const [job] = await addJobs(1);
        await expectCode(store.getLatestResult(job?.id ?? ''), 'E_RESULT_NOT_FOUND');
        await expectCode(store.getLatestResult(randomUUID()), 'E_JOB_NOT_FOUND');
        expect(await store.listResults({}, {})).toEqual({ items: [], next_cursor: null });
      });
    });

    describe('cancelJob and retryJob', () => {
      it('cancels a queued job, which is then never handed out', async () => {
        const node = await addNode();
        const [job] = await addJobs(1);
        const canceled = await store.cancelJob(job?.id ?? '', T0 + 1_000);

        expect(canceled).toMatchObject({ status: 'canceled', completed_at: T0 + 1_000 });
        expect(await store.claimNext(node, T0 + 2_000, CLAIM)).toBeNull();
      });

      it('cancels a running job: the node is freed and the holder is told', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        await store.renewLease({ jobId: job.id, nodeId: node, progress: 0.3 }, T0 + 1_000, LEASE);

        const canceled = await store.cancelJob(job.id, T0 + 2_000);
        expect(canceled).toMatchObject({ status: 'canceled', lease_expires_at: null });
        expect(await store.getNode(node)).toMatchObject({ status: 'available', current_job_id: null });

        const error = await expectCode(
          store.renewLease({ jobId: job.id, nodeId: node, progress: 0.4 }, T0 + 3_000, LEASE),
          'E_INVALID_TRANSITION',
        );
        expect(error.message).toMatch(/canceled/);
        await expectCode(store.submitResult(upload(job, node), T0 + 4_000), 'E_INVALID_TRANSITION');
        expect((await store.getJob(job.id)).status).toBe('canceled');
      });

      it('refuses to cancel a finished job with E_INVALID_TRANSITION', async () => {
        const node = await addNode();
        const [, second] = await addJobs(2);
        const done = await claim(node, T0);
        await store.submitResult(upload(done, node), T0 + 1_000);
        await store.cancelJob(second?.id ?? '', T0 + 1_000);

        await expectCode(store.cancelJob(done.id, T0 + 2_000), 'E_INVALID_TRANSITION');
        await expectCode(store.cancelJob(second?.id ?? '', T0 + 2_000), 'E_INVALID_TRANSITION');
        await expectCode(store.cancelJob(randomUUID(), T0 + 2_000), 'E_JOB_NOT_FOUND');
        expect((await store.getJob(done.id)).status).toBe('completed');
      });

      it('retries a failed job as a fresh queued attempt', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        const { job: failed } = await store.submitResult(
          upload(job, node, { status: 'failed', error: 'boom' }),
          T0 + 1_000,
        );

        const retried = await store.retryJob(job.id, T0 + 2_000);
        expect(retried).toMatchObject({
          status: 'queued',
          attempt: 2,
          node_id: null,
          error: null,
          progress: 0,
        });
        // The store applies the core transition, nothing more and nothing less.
        expect(retried).toEqual(retry(failed));
        expect(await store.getJob(job.id)).toEqual(retried);
        expect(await claim(node, T0 + 2_000)).toMatchObject({ id: job.id, attempt: 2 });
      });

      it('refuses to retry a queued or completed job', async () => {
        const node = await addNode();
        const [, queued] = await addJobs(2);
        const job = await claim(node, T0);
        await store.submitResult(upload(job, node), T0 + 1_000);

        await expectCode(store.retryJob(job.id, T0 + 2_000), 'E_INVALID_TRANSITION');
        await expectCode(store.retryJob(queued?.id ?? '', T0 + 2_000), 'E_INVALID_TRANSITION');
        await expectCode(store.retryJob(randomUUID(), T0 + 2_000), 'E_JOB_NOT_FOUND');
      });
    });

    describe('reclaimExpired', () => {
      it('requeues a job whose lease lapsed as the next attempt with a backoff', async () => {
        const node = await addNode();
        await addJobs(1);
        const job = await claim(node, T0);
        const expiry = T0 + LEASE_MS;

        expect(await store.reclaimExpired(expiry - 1, REAP)).toEqual({
          requeued: [],
          failed: [],
          nodesOffline: [],
        });

        const report = await store.reclaimExpired(expiry, REAP);
        expect(report.failed).toEqual([]);
        expect(report.nodesOffline).toEqual([]);
        expect(report.requeued.map((j) => j.id)).toEqual([job.id]);
        const requeued = await store.getJob(job.id);
        expect(report.requeued[0]).toEqual(requeued);
        expect(requeued).toMatchObject({
          status: 'queued',
          attempt: 2,
          retry_count: 1,
          node_id: null,
          lease_expires_at: null,
        });
        expect(requeued.not_before).toBeGreaterThan(expiry);
        expect(requeued.error).toMatch(/lease/);
        expect(await store.getNode(node)).toMatchObject({ status: 'available', current_job_id: null });
      });

      it('claimNext respects not_before: not before the backoff ends, and then yes', async () => {
        const node = await addNode();
        await addJobs(1);
        const requeued = await lapseOnce(node, T0);
        const notBefore = requeued.not_before;
        if (notBefore === null) throw new Error('a requeued job must have not_before');

        await store.heartbeat(node, notBefore - 1, LEASE);
        expect(await store.claimNext(node, notBefore - 1, CLAIM)).toBeNull();
        expect(await claim(node, notBefore)).toMatchObject({
          id: requeued.id,
          attempt: 2,
          status: 'assigned',
        });
      });

      it('fails the job once max_retries lapses are used up, naming the lease', async () => {
        const node = await addNode();
        const [submitted] = await addJobs(1, { max_retries: 2 });
        let now = T0;
        for (let attempt = 1; attempt <= 2; attempt++) {
          const job = await lapseOnce(node, now);
          expect(job).toMatchObject({ status: 'queued', attempt: attempt + 1, retry_count: attempt });
          now = job.not_before ?? now;
          await store.heartbeat(node, now, LEASE);
        }
        const last = await claim(node, now);
        expect(last.attempt).toBe(3);

        const report = await store.reclaimExpired(now + LEASE_MS, REAP);
        expect(report.requeued).toEqual([]);
        expect(report.failed.map((j) => j.id)).toEqual([submitted?.id]);
        const failed = await store.getJob(last.id);
        expect(failed).toMatchObject({
          status: 'failed',
          attempt: 3,
          retry_count: 2,
          lease_expires_at: null,
        });
        expect(failed.error).toMatch(/lease/);
        expect(await store.claimNext(node, now + 10 * 60_000, CLAIM)).toBeNull();
      });

      it('marks a silent node offline and requeues its jobs in the same pass', async () => {
        const silent = await addNode({ max_concurrent_jobs: 2 });
        const alive = await addNode();
        await addJobs(2);
        const jobs = [await claim(silent, T0), await claim(silent, T0)];
        // Long leases, so only the node timeout can take these jobs back.
        const longLease = { leaseMs: 10 * NODE_TIMEOUT_MS };
        for (const job of jobs) await store.renewLease({ jobId: job.id, nodeId: silent }, T0, longLease);
        await store.heartbeat(alive, T0 + NODE_TIMEOUT_MS, LEASE);

        const early = await store.reclaimExpired(T0 + NODE_TIMEOUT_MS, REAP);
        expect(early.nodesOffline).toEqual([]);
        expect(early.requeued).toEqual([]);

        const report = await store.reclaimExpired(T0 + NODE_TIMEOUT_MS + 1, REAP);
        expect(report.nodesOffline.map((n) => [n.id, n.status])).toEqual([[silent, 'offline']]);
        expect(report.requeued.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
        for (const job of report.requeued)
          expect(job).toMatchObject({ status: 'queued', attempt: 2, node_id: null });
        expect((await store.getNode(silent)).status).toBe('offline');
        expect((await store.getNode(alive)).status).toBe('available');
      });

      it('a heartbeat brings an offline node back to available', async () => {
        const node = await addNode();
        await store.reclaimExpired(T0 + NODE_TIMEOUT_MS + 1, REAP);
        expect((await store.getNode(node)).status).toBe('offline');

        const back = await store.heartbeat(node, T0 + 2 * NODE_TIMEOUT_MS, LEASE);
        expect(back).toMatchObject({ status: 'available', last_heartbeat: T0 + 2 * NODE_TIMEOUT_MS });
        expect((await store.getNode(node)).status).toBe('available');
      });

      it("a heartbeat renews the leases of the node's jobs", async () => {
        const node = await addNode({ max_concurrent_jobs: 2 });
        await addJobs(2);
        const jobs = [await claim(node, T0), await claim(node, T0)];
        await store.renewLease({ jobId: jobs[0]?.id ?? '', nodeId: node }, T0 + 1_000, LEASE);

        const hb = await store.heartbeat(node, T0 + 20_000, LEASE);
        expect(hb.status).toBe('busy');
        for (const job of jobs)
          expect((await store.getJob(job.id)).lease_expires_at).toBe(T0 + 20_000 + LEASE_MS);

        const report = await store.reclaimExpired(T0 + LEASE_MS + 10_000, REAP);
        expect(report.requeued).toEqual([]);
        expect((await store.getJob(jobs[0]?.id ?? '')).status).toBe('running');
        expect((await store.getJob(jobs[1]?.id ?? '')).status).toBe('assigned');
      });

      it('a heartbeat naming its jobs renews only those: a job the node never got lapses and is requeued', async () => {
        const node = await addNode({ max_concurrent_jobs: 2 });
        await addJobs(2);
        const [kept, lost] = [await claim(node, T0), await claim(node, T0)];

        const hb = await store.heartbeat(node, T0 + 20_000, { ...LEASE, jobIds: [kept.id, randomUUID()] });
        expect(hb.status).toBe('busy');
        expect((await store.getJob(kept.id)).lease_expires_at).toBe(T0 + 20_000 + LEASE_MS);
        expect((await store.getJob(lost.id)).lease_expires_at).toBe(T0 + LEASE_MS);

        const report = await store.reclaimExpired(T0 + LEASE_MS + 10_000, REAP);
        expect(report.requeued.map((j) => j.id)).toEqual([lost.id]);
        expect((await store.getJob(kept.id)).status).toBe('assigned');
        // An empty list renews nothing (an idle agent), and the node stays alive.
        const idle = await store.heartbeat(node, T0 + 30_000, { ...LEASE, jobIds: [] });
        expect(idle.last_heartbeat).toBe(T0 + 30_000);
        expect((await store.getJob(kept.id)).lease_expires_at).toBe(T0 + 20_000 + LEASE_MS);
      });

      it('takes at most `batch` lapsed leases per pass', async () => {
        const node = await addNode({ max_concurrent_jobs: 5 });
        await addJobs(5);
        for (let i = 0; i < 5; i++) await claim(node, T0 + i);
        const now = T0 + LEASE_MS + 10;

        const sizes: number[] = [];
        for (let pass = 0; pass < 4; pass++)
          sizes.push((await store.reclaimExpired(now, { ...REAP, batch: 2 })).requeued.length);
        expect(sizes).toEqual([2, 2, 1, 0]);
      });

      it('a clock that jumps an hour reaps everything once, and a second pass nothing', async () => {
        const nodes = [
          await addNode({ max_concurrent_jobs: 2 }),
          await addNode({ max_concurrent_jobs: 2 }),
          await addNode({ max_concurrent_jobs: 2 }),
        ];
        const [fragile] = await addJobs(1, { max_retries: 0, priority: 'high' });
        await addJobs(7, {}, T0 + 1);
        const held: Job[] = [];
        for (const node of nodes) held.push(await claim(node, T0 + 100), await claim(node, T0 + 100));
        await store.renewLease({ jobId: held[1]?.id ?? '', nodeId: nodes[0] ?? '' }, T0 + 200, LEASE);

        const jump = T0 + 60 * 60_000;
        const report = await store.reclaimExpired(jump, REAP);
        expect(report.nodesOffline.map((n) => n.id).sort()).toEqual([...nodes].sort());
        const reaped = [...report.requeued, ...report.failed].map((j) => j.id);
        expect(new Set(reaped).size).toBe(reaped.length);
        expect(reaped.sort()).toEqual(held.map((j) => j.id).sort());
        expect(report.failed.map((j) => j.id)).toEqual([fragile?.id]);
        expect(report.requeued).toHaveLength(5);
        for (const job of report.requeued) expect(job).toMatchObject({ status: 'queued', attempt: 2 });

        expect(await store.reclaimExpired(jump, REAP)).toEqual({
          requeued: [],
          failed: [],
          nodesOffline: [],
        });
        expect(await store.reclaimExpired(jump + 60 * 60_000, REAP)).toEqual({
          requeued: [],
          failed: [],
          nodesOffline: [],
        });
        const untouched = (await store.listJobs({ status: 'queued' }, {})).items.filter(
          (j) => j.attempt === 1,
        );
        expect(untouched).toHaveLength(2);
      });
    });

    describe('runs', () => {
      function newRun(jobs: readonly NewJob[], overrides: Partial<NewRun> = {}): NewRun {
        return {
          id: randomUUID(),
          name: 'contract run',
          options: { repeat: 2, baseline: true },
          entries: jobs.map((j, i) => ({
            job_id: j.id,
            kind: i === 0 ? 'baseline' : 'single',
            group: i === 0 ? null : 'encode',
            repetition: i === 0 ? null : i,
          })),
          ...overrides,
        };
      }

      it('createRun stores the run and queues its jobs in order with run_id set', async () => {
        const specs = [newJob({ priority: 'low' }), newJob(), newJob({ priority: 'low' })];
        const submitted = newRun(specs);
        const { run, jobs } = await store.createRun(submitted, specs, T0);

        expect(run).toEqual({
          ...submitted,
          created_at: T0,
          job_counts: { queued: 3, assigned: 0, running: 0, completed: 0, failed: 0, canceled: 0 },
          status: 'queued',
        });
        expect(jobs.map((j) => j.id)).toEqual(specs.map((s) => s.id));
        expect(jobs.every((j) => j.run_id === run.id && j.status === 'queued')).toBe(true);
        expect(await store.getRun(run.id)).toEqual(run);
        const listed = await store.listJobs({ run_id: run.id }, {});
        expect(listed.items.map((j) => j.id)).toEqual(specs.map((s) => s.id));
      });

      it("hands out a run's jobs one at a time, in run order, whatever their priority", async () => {
        const node = await addNode({ max_concurrent_jobs: 10 });
        const specs = [newJob({ priority: 'low' }), newJob({ priority: 'high' }), newJob()];
        const { run } = await store.createRun(newRun(specs), specs, T0);
        const loose = (await addJobs(1, { priority: 'low' }, T0 + 1))[0];

        const first = await claim(node, T0 + 10);
        expect(first.id).toBe(specs[0]?.id);
        // The run's next job waits for the first; a job outside the run does not.
        expect((await claim(node, T0 + 11)).id).toBe(loose?.id);
        expect(await store.claimNext(node, T0 + 12, CLAIM)).toBeNull();

        await store.submitResult(upload(first, node, { status: 'failed', error: 'boom' }), T0 + 13);
        const second = await claim(node, T0 + 14);
        expect(second.id).toBe(specs[1]?.id);
        await store.cancelJob(second.id, T0 + 15);
        expect((await claim(node, T0 + 16)).id).toBe(specs[2]?.id);
        expect((await store.getRun(run.id)).status).toBe('running');
      });

      it('derives status and job_counts from its jobs', async () => {
        const node = await addNode({ max_concurrent_jobs: 5 });
        const specs = [newJob(), newJob()];
        const { run } = await store.createRun(newRun(specs), specs, T0);
        const first = await claim(node, T0 + 1);
        expect(await store.getRun(run.id)).toMatchObject({
          status: 'running',
          job_counts: { queued: 1, assigned: 1 },
        });
        await store.submitResult(upload(first, node), T0 + 2);
        const second = await claim(node, T0 + 3);
        await store.submitResult(upload(second, node, { status: 'failed', error: 'boom' }), T0 + 4);
        expect(await store.getRun(run.id)).toMatchObject({
          status: 'failed',
          job_counts: { queued: 0, completed: 1, failed: 1 },
        });
      });

      it('getRun of an unknown run throws E_RUN_NOT_FOUND', async () => {
        await expectCode(store.getRun(randomUUID()), 'E_RUN_NOT_FOUND');
      });

      it('listRuns pages oldest first', async () => {
        expect(await store.listRuns({})).toEqual({ items: [], next_cursor: null });
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const specs = [newJob()];
          ids.push((await store.createRun(newRun(specs, { name: `run ${i}` }), specs, T0 + i)).run.id);
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 5; pages++) {
          const page = await store.listRuns({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((r) => r.id));
          if (page.next_cursor === null) break;
          cursor = page.next_cursor;
        }
        expect(seen).toEqual(ids);
        await expectCode(store.listRuns({ cursor: 'nonsense' }), 'E_INVALID_PARAMETER');
      });

      it('creates nothing when one of the jobs cannot be stored', async () => {
        const good = newJob();
        const taken = (await addJobs(1))[0];
        if (!taken) throw new Error('expected a job');
        const specs = [good, newJob({ id: taken.id })];
        const submitted = newRun(specs);

        await expect(store.createRun(submitted, specs, T0)).rejects.toThrow();
        await expectCode(store.getRun(submitted.id), 'E_RUN_NOT_FOUND');
        await expectCode(store.getJob(good.id), 'E_JOB_NOT_FOUND');
        expect((await store.listJobs({ run_id: submitted.id }, {})).items).toEqual([]);
        expect((await store.listRuns({})).items).toEqual([]);
        expect(await store.getJob(taken.id)).toEqual(taken);
      });
    });

    describe('latestResultPerScenario', () => {
      it('gives the latest completed result of each scenario, newest first, at most limit', async () => {
        const node = await addNode({ max_concurrent_jobs: 10 });
        const finish = async (scenario: string, status: 'completed' | 'failed', now: number) => {
          const [job] = await addJobs(1, { scenario }, now);
          const claimed = await claim(node, now + 1);
          expect(claimed.id).toBe(job?.id);
          await store.submitResult(upload(claimed, node, { status }), now + 2);
          return claimed.id;
        };
        expect(await store.latestResultPerScenario(10)).toEqual([]);
        await finish('a', 'completed', T0);
        const latestA = await finish('a', 'completed', T0 + 10);
        const b = await finish('b', 'completed', T0 + 20);
        await finish('a', 'failed', T0 + 30); // a failure never replaces a's figures
        await finish('c', 'failed', T0 + 40); // nothing completed: no entry
        await addJobs(1, { scenario: 'd' }, T0 + 50); // not finished: no entry
        const latest = await store.latestResultPerScenario(10);
        expect(latest.map((l) => [l.job.scenario, l.job.id, l.result.job_id, l.result.status])).toEqual([
          ['b', b, b, 'completed'],
          ['a', latestA, latestA, 'completed'],
        ]);
        expect(latest[0]?.result.power).toEqual({ mean_watts: 42.5 });
        expect((await store.latestResultPerScenario(1)).map((l) => l.job.scenario)).toEqual(['b']);
      });
    });

    describe('counts', () => {
      it('counts jobs by status, the queue by priority and nodes by status (zeros included)', async () => {
        const empty = await store.counts();
        expect(empty.jobs).toEqual({
          queued: 0,
          assigned: 0,
          running: 0,
          completed: 0,
          failed: 0,
          canceled: 0,
        });
        expect(empty.nodes).toEqual({ available: 0, busy: 0, offline: 0 });
        const a = await addNode();
        await addNode();
        await addJobs(2, { priority: 'high' });
        await addJobs(1, { priority: 'low' });
        await claim(a, T0 + 10);
        const c = await store.counts();
        expect(c.jobs).toMatchObject({ queued: 2, assigned: 1, completed: 0 });
        expect(c.queuedByPriority).toEqual({ high: 1, medium: 0, low: 1 });
        expect(c.nodes).toEqual({ available: 1, busy: 1, offline: 0 });
      });
    });

    describe('removeNode', () => {
      it('removes the node and requeues its active jobs as the next attempt', async () => {
        const gone = await addNode({ max_concurrent_jobs: 2 });
        const other = await addNode({ max_concurrent_jobs: 2 });
        await addJobs(3);
        const jobs = [await claim(gone, T0), await claim(gone, T0)];
        await store.renewLease({ jobId: jobs[0]?.id ?? '', nodeId: gone, progress: 0.5 }, T0 + 1_000, LEASE);

        await store.removeNode(gone, T0 + 2_000);
        await expectCode(store.getNode(gone), 'E_NODE_NOT_FOUND');
        expect((await store.listNodes({}, {})).items.map((n) => n.id)).toEqual([other]);
        expect((await store.listJobs({ node_id: gone }, {})).items).toEqual([]);
        for (const job of jobs) {
          expect(await store.getJob(job.id)).toMatchObject({
            status: 'queued',
            attempt: 2,
            node_id: null,
            progress: 0,
          });
        }

        const later = T0 + 10 * 60_000;
        await store.heartbeat(other, later, LEASE);
        const next = [await claim(other, later), await claim(other, later)];
        expect(next.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
      });

      it('throws E_NODE_NOT_FOUND for an unknown node', async () => {
        await expectCode(store.removeNode(randomUUID(), T0), 'E_NODE_NOT_FOUND');
      });
    });

    describe('bulk copy (totals, importRecords, eraseAll)', () => {
      /** A store with history: nodes (one offline), a run, a retried job with two results. */
      async function seedHistory(): Promise<void> {
        const a = await addNode({ node_key: 'a', labels: { rack: 'x' } });
        await addNode({ node_key: 'b' }, T0 - NODE_TIMEOUT_MS - 1);
        const specs = [newJob(), newJob({ priority: 'high' })];
        await store.createRun(
          {
            id: randomUUID(),
            name: 'bulk',
            options: { repeat: 1 },
            entries: specs.map((j) => ({ job_id: j.id, kind: 'single', group: null, repetition: null })),
          },
          specs,
          T0,
        );
        const [loose] = await addJobs(1, { priority: 'low' }, T0 + 10);
        const first = await claim(a, T0 + 20);
        await store.submitResult(upload(first, a, { status: 'failed', error: 'crash' }), T0 + 30);
        await store.retryJob(first.id, T0 + 40);
        const again = await claim(a, T0 + 50);
        await store.submitResult(upload(again, a, { quality: { psnr: 40.5 } }), T0 + 60);
        await store.reclaimExpired(T0 + 70, REAP); // b goes offline
        if (loose) await store.cancelJob(loose.id, T0 + 80);
      }

      async function everything(s: Store) {
        const all = async <T>(list: (p: { limit: number }) => Promise<{ items: T[] }>) =>
          (await list({ limit: 1000 })).items;
        return {
          nodes: await all((p) => s.listNodes({}, p)),
          runs: await all((p) => s.listRuns(p)),
          jobs: await all((p) => s.listJobs({}, p)),
          results: await all((p) => s.listResults({}, p)),
          counts: await s.counts(),
        };
      }

      it('totals count each kind of record', async () => {
        expect(await store.totals()).toEqual({ nodes: 0, runs: 0, jobs: 0, results: 0 });
        await seedHistory();
        expect(await store.totals()).toEqual({ nodes: 2, runs: 1, jobs: 3, results: 2 });
      });

      it('importRecords into an empty store reproduces every record and derived state', async () => {
        await seedHistory();
        const source = await everything(store);
        const target = await open();
        try {
          await target.importRecords({ nodes: source.nodes, runs: source.runs });
          await target.importRecords({ jobs: source.jobs });
          await target.importRecords({ results: source.results });
          expect(await everything(target)).toEqual(source);
          expect(await target.totals()).toEqual(await store.totals());
          expect(source.nodes.map((n) => n.status).sort()).toEqual(['available', 'offline']);
          // The run's status and job counts are derived from the copied jobs.
          const [run] = source.runs;
          expect(run && (await target.getRun(run.id))).toEqual(run);
        } finally {
          await target.close();
        }
      });

      it('importRecords is all or nothing: a duplicate id rolls back the whole call', async () => {
        await seedHistory();
        const { jobs } = await everything(store);
        const fresh = { ...(jobs[0] as Job), id: randomUUID() };
        await expect(store.importRecords({ jobs: [fresh, jobs[1] as Job] })).rejects.toThrow();
        await expectCode(store.getJob(fresh.id), 'E_JOB_NOT_FOUND');
      });

      it('eraseAll leaves an empty store that works as new', async () => {
        await seedHistory();
        await store.eraseAll();
        expect(await store.totals()).toEqual({ nodes: 0, runs: 0, jobs: 0, results: 0 });
        const node = await addNode();
        const [job] = await addJobs(1);
        expect((await claim(node, T0 + 1)).id).toBe(job?.id);
      });
    });

    describe('concurrency', () => {
      it(
        'hands each of 200 jobs to exactly one of 50 concurrently claiming nodes',
        async () => {
          const nodes = await Promise.all(
            Array.from({ length: 50 }, (_, i) => addNode({ max_concurrent_jobs: 4, node_key: `n${i}` })),
          );
          const submitted = await addJobs(200);
          const handedOut: string[] = [];
          let now = T0 + 1_000;
          let rounds = 0;
          for (;;) {
            now++;
            const claimed = await Promise.all(nodes.map((node) => store.claimNext(node, now, CLAIM)));
            const got = claimed.filter((job): job is Job => job !== null);
            if (got.length === 0) break;
            handedOut.push(...got.map((j) => j.id));
            await Promise.all(got.map((job) => store.submitResult(upload(job, job.node_id ?? ''), now)));
            rounds++;
            expect(rounds).toBeLessThan(200);
          }

          expect(handedOut).toHaveLength(200);
          expect(new Set(handedOut).size).toBe(200);
          expect([...handedOut].sort()).toEqual(submitted.map((j) => j.id).sort());
          const completed = await store.listJobs({ status: 'completed' }, { limit: 1000 });
          expect(completed.items).toHaveLength(200);
          expect((await store.listResults({}, { limit: 1000 })).items).toHaveLength(200);
        },
        opts.concurrencyTimeoutMs ?? 60_000,
      );

      it('never exceeds max_concurrent_jobs under concurrent claims from one node', async () => {
        const node = await addNode({ max_concurrent_jobs: 3 });
        await addJobs(20);
        const claimed = await Promise.all(
          Array.from({ length: 20 }, () => store.claimNext(node, T0 + 100, CLAIM)),
        );
        expect(claimed.filter((j) => j !== null)).toHaveLength(3);
        expect((await store.listJobs({ node_id: node }, {})).items).toHaveLength(3);
      });
    });
  });
}
