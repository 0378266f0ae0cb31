import { Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES, PRIORITIES } from '../core/job.js';
import { NODE_STATUSES } from '../core/node.js';
import type { Store } from '../store/port.js';
import type { MasterEvents } from './events.js';
import { type ResultsMetricsOptions, loadDefaultPricing, registerResultsMetrics } from './results-metrics.js';

/**
 * The master's /metrics (DESIGN §7): counts computed from the store when scraped (never pushed by
 * timers, so several masters on one database agree), two histograms fed by lifecycle events, and
 * the results, cost, CO2 and QoE families of finished benchmark scenarios (results-metrics.ts).
 */
export function createMasterRegistry(
  store: Store,
  events: MasterEvents,
  waiting: () => number,
  startedAt: number,
  results: ResultsMetricsOptions = {},
): Registry {
  const registry = new Registry();
  registerResultsMetrics(registry, store, {
    ...results,
    pricing: results.pricing === undefined ? loadDefaultPricing() : results.pricing,
  });
  // One store query per scrape, shared by the three gauges that read it.
  let pending: ReturnType<Store['counts']> | undefined;
  const counts = () => {
    pending ??= store.counts().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  new Gauge({
    name: 'ffrtmp_jobs_total',
    help: 'Jobs in the store, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      for (const s of JOB_STATUSES) this.set({ status: s }, c.jobs[s]);
    },
  });
  new Gauge({
    name: 'ffrtmp_queue_length',
    help: 'Queued jobs, by priority',
    labelNames: ['priority'] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      for (const p of PRIORITIES) this.set({ priority: p }, c.queuedByPriority[p]);
    },
  });
  new Gauge({
    name: 'ffrtmp_nodes',
    help: 'Registered nodes, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      for (const s of NODE_STATUSES) this.set({ status: s }, c.nodes[s]);
    },
  });
  new Gauge({
    name: 'ffrtmp_master_uptime_seconds',
    help: 'Seconds since this master started',
    registers: [registry],
    collect() {
      this.set((Date.now() - startedAt) / 1000);
    },
  });
  new Gauge({
    name: 'ffrtmp_longpoll_waiting',
    help: 'Agents parked in GET /jobs/next?wait=',
    registers: [registry],
    collect() {
      this.set(waiting());
    },
  });
  const buckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
  const duration = new Histogram({
    name: 'ffrtmp_job_duration_seconds',
    help: 'Run time of finished jobs',
    buckets,
    registers: [registry],
  });
  const wait = new Histogram({
    name: 'ffrtmp_job_wait_seconds',
    help: 'Time from submission to assignment',
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [registry],
  });
  events.on('job:finished', (job) => {
    if (job.started_at !== null && job.completed_at !== null)
      duration.observe((job.completed_at - job.started_at) / 1000);
  });
  events.on('job:claimed', (job) => {
    if (job.assigned_at !== null) wait.observe((job.assigned_at - job.created_at) / 1000);
  });
  return registry;
}
