import type { FastifyBaseLogger } from 'fastify';
import type { ReapReport, Store } from '../store/port.js';
import type { MasterOptions } from './create-master.js';
import type { MasterEvents } from './events.js';
import type { WaitList } from './wait-list.js';

export interface ReaperDeps {
  store: Store;
  clock: () => number;
  random: () => number;
  options: Pick<MasterOptions, 'nodeTimeoutMs' | 'reaperIntervalMs'>;
  events: MasterEvents;
  waitList: WaitList;
  log: FastifyBaseLogger;
}

export interface Reaper {
  runOnce(): Promise<ReapReport>;
  start(): void;
  stop(): void;
}

/**
 * Reclaims lapsed leases and marks silent nodes offline. Leases, not locks: crash recovery is this
 * ordinary loop. Safe to run on several masters at once (the store's verb is atomic).
 */
export function createReaper(deps: ReaperDeps): Reaper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReapReport> | undefined;

  async function pass(): Promise<ReapReport> {
    const report = await deps.store.reclaimExpired(deps.clock(), {
      random: deps.random,
      nodeTimeoutMs: deps.options.nodeTimeoutMs,
    });
    for (const node of report.nodesOffline) {
      deps.log.warn({ node_id: node.id, address: node.address }, 'node offline: no heartbeat');
      deps.events.emit('node:lost', node);
    }
    for (const job of report.requeued) {
      deps.log.warn({ job_id: job.id, attempt: job.attempt, reason: job.error }, 'job requeued');
      deps.events.emit('job:requeued', job);
      if (job.not_before !== null) deps.waitList.notifyAt(job.not_before);
    }
    for (const job of report.failed) {
      deps.log.warn({ job_id: job.id, reason: job.error }, 'job failed: retries exhausted');
      deps.events.emit('job:failed', job);
    }
    return report;
  }

  function runOnce(): Promise<ReapReport> {
    // Never two passes at once in one process; a caller during a pass gets that pass's report.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => deps.log.error({ err }, 'reaper pass failed'));
      }, deps.options.reaperIntervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
