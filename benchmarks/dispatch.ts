import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'undici';
import { type Reply, describeReply, isOk, request } from './lib/http.js';
import type { BenchMaster } from './lib/master.js';
import { clockTicks, cpuTicks, rssBytes, rssSampler } from './lib/proc.js';
import { type LatencySummary, Samples, fmt as f } from './lib/stats.js';

/**
 * Dispatch benchmark over real HTTP: N workers, each with its own registered node, loop
 * `POST /jobs` → `GET /jobs/next?node_id=<own>` → `POST /results` on keep-alive connections against
 * a master child process; then a single long-polling agent measures submit-to-assigned latency.
 */

export interface DispatchOptions {
  durationSec: number;
  workers: number;
  warmupSec: number;
  /** Submit-to-assigned rounds. */
  rounds: number;
  /** ms the long-poll is given to park before the job is submitted. */
  parkMs: number;
  master: BenchMaster;
}

export const ROUTE_NAMES = ['POST /jobs', 'GET /jobs/next', 'POST /results', 'cycle'] as const;
type RouteName = (typeof ROUTE_NAMES)[number];

export interface DispatchReport {
  workers: number;
  windowSec: number;
  cycles: number;
  cyclesPerSec: number;
  latencyMs: Record<RouteName, LatencySummary>;
  errors: { window: number; total: number; emptyClaims: number; samples: string[] };
  master: {
    cpuSec: number;
    cpuUsPerCycle: number;
    cpuPercentOfOneCore: number;
    rssMb: { start: number; peak: number; end: number };
  };
  /** This process (the load generator) shares the cores with the master. */
  loadGeneratorCpuPercentOfOneCore: number;
  submitToAssigned: LatencySummary & { rounds: number; leftoverJobs: number; anomalies: number };
}

const JOB = { scenario: 'bench', parameters: { duration: 60, bitrate: '5000k' } };

function resultBody(jobId: string, nodeId: string) {
  return {
    job_id: jobId,
    node_id: nodeId,
    status: 'completed',
    metrics: {
      transcode_duration_sec: 61.2,
      output_size_bytes: 37_500_000,
      frames_encoded: 1800,
      encoding_fps: 29.4,
      duration: 60,
    },
  };
}

/** Shared state of the load phase. Phase changes happen on the event loop, between completions. */
class Load {
  phase: 'warmup' | 'window' | 'drain' = 'warmup';
  cycles = 0;
  windowErrors = 0;
  totalErrors = 0;
  emptyClaims = 0;
  readonly errorSamples: string[] = [];
  readonly latency = Object.fromEntries(ROUTE_NAMES.map((r) => [r, new Samples()])) as Record<
    RouteName,
    Samples
  >;

  error(message: string): void {
    this.totalErrors++;
    if (this.phase === 'window') this.windowErrors++;
    if (this.errorSamples.length < 5 && !this.errorSamples.includes(message)) this.errorSamples.push(message);
  }

  /** Runs one request; records its latency if it completes inside the window. Null on error. */
  async timed(route: RouteName, send: () => Promise<Reply>): Promise<Reply | null> {
    const t0 = performance.now();
    try {
      const reply = await send();
      if (!isOk(reply)) {
        this.error(`${route}: ${describeReply(reply)}`);
        return null;
      }
      if (this.phase === 'window') this.latency[route].add(reply.at - t0);
      return reply;
    } catch (err) {
      this.error(`${route}: ${(err as Error).message}`);
      return null;
    }
  }
}

async function registerNode(pool: Pool | Client, name: string): Promise<string> {
  const reply = await request(pool, 'POST', '/nodes/register', {
    address: name,
    node_key: `bench-key-${name}`,
    cpu_threads: 8,
    max_concurrent_jobs: 1,
  });
  if (!isOk(reply)) throw new Error(`register ${name}: ${describeReply(reply)}`);
  return reply.json.id as string;
}

async function worker(load: Load, pool: Pool, nodeId: string): Promise<void> {
  const next = `/jobs/next?node_id=${encodeURIComponent(nodeId)}`;
  while (load.phase !== 'drain') {
    const t0 = performance.now();
    const submitted = await load.timed('POST /jobs', () => request(pool, 'POST', '/jobs', JOB));
    const claimed = submitted && (await load.timed('GET /jobs/next', () => request(pool, 'GET', next)));
    if (claimed && !claimed.json?.job) load.emptyClaims++;
    const job = claimed?.json?.job;
    const done =
      job &&
      (await load.timed('POST /results', () =>
        request(pool, 'POST', '/results', resultBody(job.id, nodeId)),
      ));
    if (done && load.phase === 'window') {
      load.cycles++;
      load.latency.cycle.add(done.at - t0);
    }
    // An error must not turn into a hot loop against a sick master.
    if (!done) await sleep(10);
  }
}

export async function runDispatch(opts: DispatchOptions): Promise<DispatchReport> {
  const { master } = opts;
  const ticks = clockTicks();
  const pool = new Pool(master.url, { connections: opts.workers, pipelining: 1 });
  const load = new Load();
  let workers: Promise<void>[] = [];
  try {
    const nodes = await Promise.all(
      Array.from({ length: opts.workers }, (_, i) => registerNode(pool, `bench-${i}`)),
    );
    workers = nodes.map((id) => worker(load, pool, id));

    await sleep(opts.warmupSec * 1000);
    const rssStart = rssBytes(master.pid);
    const sampler = rssSampler(master.pid);
    const cpu0 = cpuTicks(master.pid);
    const self0 = process.cpuUsage();
    const w0 = performance.now();
    load.phase = 'window';

    await sleep(opts.durationSec * 1000);
    const cpu1 = cpuTicks(master.pid);
    const self1 = process.cpuUsage(self0);
    const w1 = performance.now();
    load.phase = 'drain';
    const rssPeak = sampler.stop();
    const rssEnd = rssBytes(master.pid);
    await Promise.all(workers);

    const windowSec = (w1 - w0) / 1000;
    const cpuSec = (cpu1 - cpu0) / ticks;
    const submitToAssigned = await measureSubmitToAssigned(master.url, pool, load, opts);
    const mb = (b: number) => b / 1024 / 1024;
    return {
      workers: opts.workers,
      windowSec,
      cycles: load.cycles,
      cyclesPerSec: load.cycles / windowSec,
      latencyMs: Object.fromEntries(ROUTE_NAMES.map((r) => [r, load.latency[r].summary()])) as Record<
        RouteName,
        LatencySummary
      >,
      errors: {
        window: load.windowErrors,
        total: load.totalErrors,
        emptyClaims: load.emptyClaims,
        samples: load.errorSamples,
      },
      master: {
        cpuSec,
        cpuUsPerCycle: load.cycles ? (cpuSec * 1e6) / load.cycles : Number.NaN,
        cpuPercentOfOneCore: (100 * cpuSec) / windowSec,
        rssMb: { start: mb(rssStart), peak: mb(rssPeak), end: mb(rssEnd) },
      },
      loadGeneratorCpuPercentOfOneCore: (100 * (self1.user + self1.system)) / 1e6 / windowSec,
      submitToAssigned,
    };
  } finally {
    // Also on a harness failure: stop the workers before closing their pool.
    load.phase = 'drain';
    await Promise.allSettled(workers);
    await pool.close();
  }
}

/**
 * One agent parks on `GET /jobs/next?wait=30` (its own keep-alive connection); after `parkMs` a job
 * is submitted. Latency runs from just before `POST /jobs` is sent until the long-poll response
 * has arrived. The node then reports a result so it is free for the next round.
 */
async function measureSubmitToAssigned(
  url: string,
  pool: Pool,
  load: Load,
  opts: DispatchOptions,
): Promise<LatencySummary & { rounds: number; leftoverJobs: number; anomalies: number }> {
  const poller = new Client(url, { pipelining: 1 });
  const samples = new Samples();
  let anomalies = 0;
  try {
    const nodeId = await registerNode(pool, 'bench-longpoll');
    const next = `/jobs/next?node_id=${encodeURIComponent(nodeId)}`;
    const complete = async (jobId: string) => {
      const r = await request(pool, 'POST', '/results', resultBody(jobId, nodeId));
      if (!isOk(r)) load.error(`POST /results (long-poll): ${describeReply(r)}`);
    };
    // Drain whatever the load phase left queued so every round's job is the one submitted.
    let leftoverJobs = 0;
    for (let i = 0; i < 10_000; i++) {
      const r = await request(poller, 'GET', next);
      if (!isOk(r)) throw new Error(`drain: ${describeReply(r)}`);
      if (!r.json.job) break;
      leftoverJobs++;
      await complete(r.json.job.id);
    }
    for (let round = 0; round < opts.rounds; round++) {
      const polled = request(poller, 'GET', `${next}&wait=30`);
      polled.catch(() => {}); // handled below; keeps a failure during the park from going unhandled
      await sleep(opts.parkMs);
      const t0 = performance.now();
      const [poll, submit] = await Promise.allSettled([polled, request(pool, 'POST', '/jobs', JOB)]);
      if (poll.status === 'rejected' || submit.status === 'rejected') {
        const reason = poll.status === 'rejected' ? poll.reason : (submit as PromiseRejectedResult).reason;
        load.error(`long-poll round: ${(reason as Error).message}`);
        continue;
      }
      if (!isOk(poll.value) || !isOk(submit.value)) {
        load.error(`long-poll round: ${describeReply(isOk(poll.value) ? submit.value : poll.value)}`);
        continue;
      }
      const job = poll.value.json.job;
      if (!job || job.id !== submit.value.json.id) anomalies++;
      else samples.add(poll.value.at - t0);
      if (job) await complete(job.id);
    }
    return { ...samples.summary(), rounds: opts.rounds, leftoverJobs, anomalies };
  } finally {
    await poller.close();
  }
}

export const BARS = { cyclesPerSec: 2000, p99Ms: 50, submitToAssignedP99Ms: 20 };

export interface BarCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export function checkBars(r: DispatchReport): BarCheck[] {
  const worstP99 = Math.max(...ROUTE_NAMES.filter((n) => n !== 'cycle').map((n) => r.latencyMs[n].p99));
  const oddities = r.errors.total + r.errors.emptyClaims + r.submitToAssigned.anomalies;
  return [
    {
      name: `throughput >= ${BARS.cyclesPerSec} cycles/s`,
      pass: r.cyclesPerSec >= BARS.cyclesPerSec,
      detail: `${r.cyclesPerSec.toFixed(0)} cycles/s`,
    },
    {
      name: 'zero errors',
      pass: oddities === 0,
      detail: `${r.errors.total} errors, ${r.errors.emptyClaims} empty claims, ${r.submitToAssigned.anomalies} long-poll anomalies`,
    },
    {
      name: `per-route p99 < ${BARS.p99Ms} ms`,
      pass: worstP99 < BARS.p99Ms,
      detail: `worst route p99 ${worstP99.toFixed(2)} ms`,
    },
    {
      name: `submit-to-assigned p99 < ${BARS.submitToAssignedP99Ms} ms`,
      pass: r.submitToAssigned.p99 < BARS.submitToAssignedP99Ms,
      detail: `${r.submitToAssigned.p99.toFixed(2)} ms`,
    },
  ];
}

export function formatDispatch(r: DispatchReport): string {
  const lines = [
    `dispatch: ${r.workers} workers, ${f(r.windowSec, 2)} s window`,
    `  completed cycles        ${r.cycles}`,
    `  cycles/s                ${f(r.cyclesPerSec, 0)}`,
    `  errors                  ${r.errors.window} in window, ${r.errors.total} total; empty claims ${r.errors.emptyClaims}`,
    ...r.errors.samples.map((s) => `    e.g. ${s}`),
    '',
    '  route              count      p50 ms    p99 ms    max ms',
    ...ROUTE_NAMES.map((n) => {
      const l = r.latencyMs[n];
      return `  ${n.padEnd(16)} ${String(l.count).padStart(7)}  ${f(l.p50).padStart(9)} ${f(l.p99).padStart(9)} ${f(l.max).padStart(9)}`;
    }),
    '',
    `  master CPU              ${f(r.master.cpuSec, 2)} s = ${f(r.master.cpuUsPerCycle, 0)} µs/cycle, ${f(r.master.cpuPercentOfOneCore, 0)}% of one core`,
    `  load generator CPU      ${f(r.loadGeneratorCpuPercentOfOneCore, 0)}% of one core (same machine)`,
    `  master RSS MB           start ${f(r.master.rssMb.start, 1)}, peak ${f(r.master.rssMb.peak, 1)}, end ${f(r.master.rssMb.end, 1)}`,
    `  submit-to-assigned      p50 ${f(r.submitToAssigned.p50)} ms, p99 ${f(r.submitToAssigned.p99)} ms, max ${f(r.submitToAssigned.max)} ms (${r.submitToAssigned.count}/${r.submitToAssigned.rounds} rounds, ${r.submitToAssigned.anomalies} anomalies, ${r.submitToAssigned.leftoverJobs} leftover jobs drained first)`,
    '',
    ...checkBars(r).map((b) => `  ${b.pass ? 'PASS' : 'MISS'}  ${b.name.padEnd(34)} ${b.detail}`),
  ];
  return lines.join('\n');
}
