import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { type Reply, describeReply, isOk, request } from './lib/http.js';
import type { BenchMaster } from './lib/master.js';
import { clockTicks, cpuTicks, rssSampler } from './lib/proc.js';
import { type LatencySummary, Samples, fmt as f } from './lib/stats.js';

/**
 * Fleet load: N simulated agents over real HTTP against one or more master processes. Each agent
 * registers, heartbeats every `heartbeatMs` (accelerated: real agents send one every 30 s), long-
 * polls `GET /jobs/next?wait=S`, and for each job it gets reports progress once, "runs" for `jobMs`
 * and uploads a small result. A submitter keeps `backlog` jobs outstanding, spread over the masters, so a
 * poll usually finds work at once: its latency is then the master's claim latency under this load.
 * Agent i talks to master i mod M; with several masters, jobs submitted on one are claimed through
 * the others (shared PostgreSQL, NOTIFY).
 */

export interface LoadOptions {
  label: string;
  masters: BenchMaster[];
  agents: number;
  warmupSec: number;
  durationSec: number;
  heartbeatMs: number;
  pollWaitSec: number;
  jobMs: number;
  backlog: number;
  /** PostgreSQL backend pids serving the masters, to measure the database's CPU too. */
  databasePids?: () => Promise<number[]>;
}

const ROUTES = [
  'POST /nodes/:id/heartbeat',
  'GET /jobs/next',
  'POST /jobs/:id/progress',
  'POST /results',
  'POST /jobs',
] as const;
type Route = (typeof ROUTES)[number];

export interface LoadReport {
  label: string;
  masters: number;
  agents: number;
  windowSec: number;
  completed: number;
  completedPerSec: number;
  /**
   * GET /jobs/next that returned a job, and those that waited out their `wait` (the queue ran dry:
   * the submitter fell behind). Latency is recorded only for the first kind.
   */
  pollsWithJob: number;
  emptyPolls: number;
  latencyMs: Record<Route, LatencySummary>;
  errors: { window: number; total: number; samples: string[] };
  masterStats: { cpuPercentOfOneCore: number; rssPeakMb: number }[];
  /** CPU of the PostgreSQL backends that served the masters through the window (null: SQLite). */
  databaseCpuPercentOfOneCore: number | null;
  loadGeneratorCpuPercentOfOneCore: number;
}

const JOB = { scenario: 'bench-load', parameters: { duration: 60, bitrate: '5000k' } };

class Fleet {
  phase: 'warmup' | 'window' | 'drain' = 'warmup';
  completed = 0;
  submitted = 0;
  doneTotal = 0;
  pollsWithJob = 0;
  emptyPolls = 0;
  windowErrors = 0;
  totalErrors = 0;
  readonly errorSamples: string[] = [];
  readonly latency = Object.fromEntries(ROUTES.map((r) => [r, new Samples()])) as Record<Route, Samples>;

  error(message: string): void {
    if (this.phase === 'drain') return; // requests cut short by the end of the run
    this.totalErrors++;
    if (this.phase === 'window') this.windowErrors++;
    if (this.errorSamples.length < 5 && !this.errorSamples.includes(message)) this.errorSamples.push(message);
  }

  async timed(route: Route, send: () => Promise<Reply>, record = true): Promise<Reply | null> {
    const t0 = performance.now();
    try {
      const reply = await send();
      if (!isOk(reply)) {
        this.error(`${route}: ${describeReply(reply)}`);
        return null;
      }
      if (record && this.phase === 'window') this.latency[route].add(reply.at - t0);
      return reply;
    } catch (err) {
      this.error(`${route}: ${(err as Error).message}`);
      return null;
    }
  }
}

async function simulatedAgent(fleet: Fleet, pool: Pool, nodeId: string, o: LoadOptions): Promise<void> {
  const id = encodeURIComponent(nodeId);
  const heartbeats = (async () => {
    await sleep(Math.random() * o.heartbeatMs); // spread the fleet's heartbeats over the interval
    while (fleet.phase !== 'drain') {
      await fleet.timed('POST /nodes/:id/heartbeat', () =>
        request(pool, 'POST', `/nodes/${id}/heartbeat`, {}),
      );
      await sleep(o.heartbeatMs);
    }
  })();
  while (fleet.phase !== 'drain') {
    const t0 = performance.now();
    const polled = await fleet.timed(
      'GET /jobs/next',
      () => request(pool, 'GET', `/jobs/next?node_id=${id}&wait=${o.pollWaitSec}`),
      false,
    );
    if (!polled) {
      await sleep(100); // no hot loop against a sick master
      continue;
    }
    const job = polled.json?.job as { id: string; attempt: number } | null | undefined;
    if (!job) {
      fleet.emptyPolls++;
      continue;
    }
    fleet.pollsWithJob++;
    if (fleet.phase === 'window') fleet.latency['GET /jobs/next'].add(polled.at - t0);
    const jobId = encodeURIComponent(job.id);
    await sleep(o.jobMs / 2);
    await fleet.timed('POST /jobs/:id/progress', () =>
      request(pool, 'POST', `/jobs/${jobId}/progress`, {
        node_id: nodeId,
        attempt: job.attempt,
        progress: 0.5,
      }),
    );
    await sleep(o.jobMs / 2);
    const done = await fleet.timed('POST /results', () =>
      request(pool, 'POST', '/results', {
        job_id: job.id,
        node_id: nodeId,
        attempt: job.attempt,
        status: 'completed',
        metrics: {
          transcode_duration_sec: o.jobMs / 1000,
          frames_encoded: 30,
          encoding_fps: 30,
          duration: 1,
        },
      }),
    );
    if (done) {
      fleet.doneTotal++;
      if (fleet.phase === 'window') fleet.completed++;
    }
  }
  await heartbeats;
}

/** Keeps about `backlog` jobs outstanding, submitting round the masters, up to 64 requests at a time. */
async function submitter(fleet: Fleet, pools: Pool[], backlog: number, once = false): Promise<void> {
  let turn = 0;
  const one = async () => {
    const pool = pools[turn++ % pools.length] as Pool;
    if (await fleet.timed('POST /jobs', () => request(pool, 'POST', '/jobs', JOB))) fleet.submitted++;
  };
  while (fleet.phase !== 'drain') {
    const missing = backlog - (fleet.submitted - fleet.doneTotal);
    if (missing <= 0) {
      if (once) return;
      await sleep(5);
      continue;
    }
    await Promise.all(Array.from({ length: Math.min(missing, 64) }, one));
  }
}

async function registerAll(pools: Pool[], agents: number): Promise<string[]> {
  const ids: string[] = new Array(agents);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < agents) {
        const i = next++;
        const reply = await request(pools[i % pools.length] as Pool, 'POST', '/nodes/register', {
          address: `sim-${i}`,
          node_key: `bench-load-${i}`,
          cpu_threads: 8,
          max_concurrent_jobs: 1,
        });
        if (!isOk(reply)) throw new Error(`register sim-${i}: ${describeReply(reply)}`);
        ids[i] = reply.json.id as string;
      }
    }),
  );
  return ids;
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const ticks = clockTicks();
  const perMaster = Math.ceil(o.agents / o.masters.length);
  // Two connections per agent: its long-poll and its heartbeat never wait for each other.
  const pools = o.masters.map((m) => new Pool(m.url, { connections: 2 * perMaster + 32, pipelining: 1 }));
  const fleet = new Fleet();
  let loops: Promise<void>[] = [];
  try {
    const ids = await registerAll(pools, o.agents);
    await submitter(fleet, pools, o.backlog, true); // the queue is full before the first poll
    loops = [
      submitter(fleet, pools, o.backlog),
      ...ids.map((id, i) => simulatedAgent(fleet, pools[i % pools.length] as Pool, id, o)),
    ];
    await sleep(o.warmupSec * 1000);
    const rss = o.masters.map((m) => rssSampler(m.pid));
    const cpu0 = o.masters.map((m) => cpuTicks(m.pid));
    const dbPids = (await o.databasePids?.()) ?? [];
    const dbTicks = (pids: number[]) =>
      pids.reduce((sum, pid) => {
        try {
          return sum + cpuTicks(pid);
        } catch {
          return sum; // a backend that ended meanwhile
        }
      }, 0);
    const db0 = dbTicks(dbPids);
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    fleet.phase = 'window';
    await sleep(o.durationSec * 1000);
    const cpu1 = o.masters.map((m) => cpuTicks(m.pid));
    const db1 = dbTicks(dbPids);
    const self1 = process.cpuUsage(self0);
    const windowSec = (performance.now() - w0) / 1000;
    fleet.phase = 'drain';
    const rssPeak = rss.map((r) => r.stop());
    return {
      label: o.label,
      masters: o.masters.length,
      agents: o.agents,
      windowSec,
      completed: fleet.completed,
      completedPerSec: fleet.completed / windowSec,
      pollsWithJob: fleet.pollsWithJob,
      emptyPolls: fleet.emptyPolls,
      latencyMs: Object.fromEntries(ROUTES.map((r) => [r, fleet.latency[r].summary()])) as Record<
        Route,
        LatencySummary
      >,
      errors: { window: fleet.windowErrors, total: fleet.totalErrors, samples: fleet.errorSamples },
      masterStats: o.masters.map((_, i) => ({
        cpuPercentOfOneCore: (100 * (((cpu1[i] as number) - (cpu0[i] as number)) / ticks)) / windowSec,
        rssPeakMb: (rssPeak[i] as number) / 1024 / 1024,
      })),
      databaseCpuPercentOfOneCore: o.databasePids ? (100 * ((db1 - db0) / ticks)) / windowSec : null,
      loadGeneratorCpuPercentOfOneCore: (100 * (self1.user + self1.system)) / 1e6 / windowSec,
    };
  } finally {
    fleet.phase = 'drain';
    // Parked long-polls would hold the end for up to `wait` seconds: cut them.
    await Promise.all(pools.map((p) => p.destroy()));
    await Promise.allSettled(loops);
  }
}

export const LOAD_BARS = { p99Ms: 100, rssMb: 200 };

export function checkLoadBars(r: LoadReport): { name: string; pass: boolean; detail: string }[] {
  const hb = r.latencyMs['POST /nodes/:id/heartbeat'].p99;
  const poll = r.latencyMs['GET /jobs/next'].p99;
  const rss = Math.max(...r.masterStats.map((m) => m.rssPeakMb));
  return [
    { name: 'zero errors', pass: r.errors.total === 0, detail: `${r.errors.total} errors` },
    {
      name: `heartbeat and long-poll p99 < ${LOAD_BARS.p99Ms} ms`,
      pass: hb < LOAD_BARS.p99Ms && poll < LOAD_BARS.p99Ms,
      detail: `heartbeat ${f(hb)} ms, long-poll with a job ${f(poll)} ms`,
    },
    {
      name: `master RSS < ${LOAD_BARS.rssMb} MB`,
      pass: rss < LOAD_BARS.rssMb,
      detail: `peak ${f(rss, 1)} MB`,
    },
  ];
}

export function formatLoad(r: LoadReport): string {
  return [
    `load ${r.label}: ${r.agents} simulated agents, ${r.masters} master(s), ${f(r.windowSec, 1)} s window`,
    `  completed jobs/s        ${f(r.completedPerSec, 1)} (${r.completed} jobs)`,
    `  polls                   ${r.pollsWithJob} got a job, ${r.emptyPolls} waited out`,
    `  errors                  ${r.errors.window} in window, ${r.errors.total} total`,
    ...r.errors.samples.map((s) => `    e.g. ${s}`),
    '  route                        count      p50 ms    p99 ms    max ms',
    ...ROUTES.map((n) => {
      const l = r.latencyMs[n];
      const name = n === 'GET /jobs/next' ? 'GET /jobs/next (got a job)' : n;
      return `  ${name.padEnd(26)} ${String(l.count).padStart(7)}  ${f(l.p50).padStart(9)} ${f(l.p99).padStart(9)} ${f(l.max).padStart(9)}`;
    }),
    ...r.masterStats.map(
      (m, i) =>
        `  master ${i + 1}                CPU ${f(m.cpuPercentOfOneCore, 0)}% of one core, RSS peak ${f(m.rssPeakMb, 1)} MB`,
    ),
    ...(r.databaseCpuPercentOfOneCore === null
      ? []
      : [`  PostgreSQL backends     CPU ${f(r.databaseCpuPercentOfOneCore, 0)}% of one core`]),
    `  load generator CPU      ${f(r.loadGeneratorCpuPercentOfOneCore, 0)}% of one core (same machine)`,
    ...checkLoadBars(r).map((b) => `  ${b.pass ? 'PASS' : 'MISS'}  ${b.name.padEnd(38)} ${b.detail}`),
  ].join('\n');
}
