import { EventEmitter } from 'node:events';
import type { MasterClient } from '../core/client.js';
import type { JobJson, NodeRegistrationBody } from '../core/contract/schemas.js';
import { isFfrtmpError } from '../core/errors.js';
import { backoffMs } from '../core/job.js';
import {
  type ExecuteOptions,
  type JobEnd,
  type JobRun,
  type LiveStats,
  type Measurement,
  executeJob,
} from './execute-job.js';
import { delay } from './delay.js';
import type { Spool } from './spool.js';

/** The contract's bound on a heartbeat's `job_ids` (running jobs come first). */
const MAX_HEARTBEAT_JOBS = 1024;

export interface AgentOptions extends ExecuteOptions {
  /** Long-poll length: how long one GET /jobs/next waits for work (the reference's poll interval). */
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  maxConcurrentJobs: number;
}

/** Lifecycle events, `noun:verb`; logs, metrics and tests subscribe. */
export interface AgentEventMap {
  'node:registered': [nodeId: string];
  'heartbeat:sent': [];
  'heartbeat:failed': [error: Error];
  'job:started': [job: JobJson];
  'job:stats': [jobId: string, stats: LiveStats];
  'job:ended': [job: JobJson, end: JobEnd];
  'result:uploaded': [jobId: string, attempt: number, duplicate: boolean];
  'result:dropped': [jobId: string, reason: string];
}

export interface AgentDeps {
  client: MasterClient;
  registration: NodeRegistrationBody;
  options: AgentOptions;
  spool: Spool;
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** The power sampler and idle baseline; results carry no energy without it. */
  measurement?: Measurement;
  /** Replaces FFmpeg execution (tests of the lifecycle). */
  execute?: (run: JobRun) => Promise<JobEnd>;
}

export interface Agent {
  readonly events: EventEmitter<AgentEventMap>;
  nodeId(): string | undefined;
  runningJobs(): JobJson[];
  /** Registers (retrying until the master answers), then heartbeats and takes jobs. */
  start(): void;
  /**
   * First call: stop taking work, let running jobs finish, upload their results, stop.
   * With `force` (the second signal): stop FFmpeg now; unfinished jobs are retried by the master.
   */
  stop(options?: { force?: boolean }): Promise<void>;
}

const RETRY_BACKOFF = { baseMs: 1000, capMs: 30_000 };

export function createAgent(deps: AgentDeps): Agent {
  const { client, options, spool } = deps;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => undefined);
  const execute = deps.execute ?? executeJob;
  const events = new EventEmitter<AgentEventMap>();
  const draining = new AbortController(); // first stop(): no new work
  const forced = new AbortController(); // second stop(): kill encodes
  const quiet = new AbortController(); // draining and no job left (or forced): background loops end
  const checkQuiet = () => {
    if (forced.signal.aborted || (draining.signal.aborted && running.size === 0)) quiet.abort();
  };
  const running = new Map<string, JobJson>();
  let nodeId: string | undefined;
  let started: Promise<void> | undefined;
  let uploading: Promise<void> | undefined;
  let registering: Promise<string> | undefined;

  /** Waits `ms` unless the agent starts draining. */
  const pause = (ms: number, signal: AbortSignal = draining.signal) => delay(ms, signal);

  async function registerOnce(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const node = await client.registerNode(deps.registration);
        nodeId = node.id;
        log('info', 'registered with the master', { node_id: node.id, master: client.baseUrl });
        events.emit('node:registered', node.id);
        return node.id;
      } catch (error) {
        if (draining.signal.aborted) throw error;
        const wait = backoffMs(attempt, random(), RETRY_BACKOFF);
        log('warn', `registration failed; retrying in ${(wait / 1000).toFixed(1)} s`, {
          err: (error as Error).message,
        });
        await pause(wait);
      }
    }
  }

  /** One registration at a time: a heartbeat 404 and a poll 404 together re-register once. */
  function register(): Promise<string> {
    registering ??= registerOnce().finally(() => {
      registering = undefined;
    });
    return registering;
  }

  async function heartbeatLoop(): Promise<void> {
    for (;;) {
      await pause(options.heartbeatIntervalMs, quiet.signal);
      if (quiet.signal.aborted) return;
      if (!nodeId) continue;
      try {
        // The jobs we still have: running, or finished with the result waiting in the spool. A job
        // the master gave us but whose answer never arrived is not among them, so its lease lapses.
        const held = new Set([...running.keys(), ...spool.list().map((e) => e.result.job_id)]);
        await client.heartbeat(nodeId, [...held].slice(0, MAX_HEARTBEAT_JOBS));
        events.emit('heartbeat:sent');
      } catch (error) {
        events.emit('heartbeat:failed', error as Error);
        if (isFfrtmpError(error) && error.code === 'E_NODE_NOT_FOUND') {
          log(
            'warn',
            'the master does not know this node (restarted with a new database?); registering again',
          );
          await register().catch(() => undefined);
        } else {
          log('warn', 'heartbeat failed', { err: (error as Error).message });
        }
      }
    }
  }

  /** Uploads every spooled result; keeps those the master could not take, drops those it refused for good. */
  function flushSpool(): Promise<void> {
    uploading ??= (async () => {
      for (const { name, result } of spool.list()) {
        try {
          const ack = await client.submitResult(result);
          spool.remove(name);
          events.emit('result:uploaded', result.job_id, result.attempt ?? 0, ack.duplicate);
        } catch (error) {
          const code = isFfrtmpError(error) ? error.code : undefined;
          if (
            code === 'E_STALE_ATTEMPT' ||
            code === 'E_JOB_NOT_FOUND' ||
            code === 'E_INVALID_TRANSITION' ||
            code === 'E_INVALID_PARAMETER'
          ) {
            // The master has moved on (the job was retried elsewhere, canceled, or deleted): keeping it would retry forever.
            log('warn', 'result refused by the master; set aside in spool/rejected', {
              job_id: result.job_id,
              code,
              err: (error as Error).message,
            });
            spool.reject(name);
            events.emit('result:dropped', result.job_id, `${code}: ${(error as Error).message}`);
          } else {
            log('warn', 'result upload failed; kept in the spool', {
              job_id: result.job_id,
              err: (error as Error).message,
            });
            return; // the master is unreachable: try again later, in order
          }
        }
      }
    })().finally(() => {
      uploading = undefined;
    });
    return uploading;
  }

  async function uploadLoop(): Promise<void> {
    let failures = 0;
    while (!quiet.signal.aborted) {
      await flushSpool();
      failures = spool.size() === 0 ? 0 : failures + 1;
      await pause(failures === 0 ? 1000 : backoffMs(failures, random(), RETRY_BACKOFF), quiet.signal);
    }
    if (forced.signal.aborted) return;
    // Draining: one last try for what the jobs just produced; anything left uploads on the next start.
    await flushSpool();
    if (spool.size() > 0) {
      log(
        'warn',
        `stopping with ${spool.size()} result(s) in the spool; they upload when the agent starts again`,
      );
    }
  }

  async function runJob(job: JobJson, id: string): Promise<void> {
    running.set(job.id, job);
    events.emit('job:started', job);
    log('info', 'job started', { job_id: job.id, attempt: job.attempt, scenario: job.scenario });
    try {
      const end = await execute({
        job,
        nodeId: id,
        client,
        options,
        signal: forced.signal,
        onStats: (stats) => events.emit('job:stats', job.id, stats),
        ...(deps.measurement ? { measurement: deps.measurement } : {}),
        log: (msg, fields) => log('info', msg, fields),
      });
      if (end.kind === 'result') spool.put(end.result);
      log(end.kind === 'result' && end.result.status === 'completed' ? 'info' : 'warn', 'job ended', {
        job_id: job.id,
        ...(end.kind === 'result'
          ? { status: end.result.status, error: end.result.error }
          : { abandoned: end.reason }),
      });
      events.emit('job:ended', job, end);
    } finally {
      running.delete(job.id);
      checkQuiet();
    }
    await flushSpool();
  }

  async function slotLoop(): Promise<void> {
    let failures = 0;
    while (!draining.signal.aborted) {
      const id = nodeId ?? (await register().catch(() => undefined));
      if (!id) continue;
      let job: JobJson | null;
      try {
        const waitSec = Math.min(60, Math.max(0, options.pollIntervalMs / 1000));
        job = (await client.nextJob(id, waitSec, draining.signal)).job;
        failures = 0;
      } catch (error) {
        if (draining.signal.aborted) return;
        if (isFfrtmpError(error) && error.code === 'E_NODE_NOT_FOUND') {
          nodeId = undefined;
          continue;
        }
        failures++;
        const wait = backoffMs(failures, random(), RETRY_BACKOFF);
        log('warn', `polling for jobs failed; retrying in ${(wait / 1000).toFixed(1)} s`, {
          err: (error as Error).message,
        });
        await pause(wait);
        continue;
      }
      if (job) await runJob(job, id);
    }
  }

  return {
    events,
    nodeId: () => nodeId,
    runningJobs: () => [...running.values()],
    start() {
      started ??= (async () => {
        await register().catch(() => undefined);
        await Promise.all([
          heartbeatLoop(),
          uploadLoop(),
          ...Array.from({ length: options.maxConcurrentJobs }, () => slotLoop()),
        ]);
      })();
    },
    async stop(stopOptions = {}) {
      draining.abort();
      if (stopOptions.force) forced.abort();
      checkQuiet();
      await started;
    },
  };
}
