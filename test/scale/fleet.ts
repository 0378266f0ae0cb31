import { join } from 'node:path';
import pg from 'pg';
import { type Agent, createAgent } from '../../src/agent/create-agent.js';
import type { JobEnd, JobRun } from '../../src/agent/execute-job.js';
import { createFailoverFetch } from '../../src/agent/failover-fetch.js';
import { openSpool } from '../../src/agent/spool.js';
import { createTransport } from '../../src/agent/transport.js';
import { type FetchLike, createMasterClient } from '../../src/core/client.js';
import { type SpawnedMaster, spawnMaster, tempDir } from '../helpers.js';

/**
 * A fleet for the scale tests: masters as real `ffrtmp master --database-url` processes on one
 * PostgreSQL database, and agents in this process. The agents are the real agent (createAgent: its
 * registration, heartbeats, long-poll slots, spool and upload) over the real failover client; only
 * FFmpeg is replaced by a step that reports progress once and returns a result after `jobMs`, so
 * 500 jobs fit a 2-core machine. Every HTTP answer and transport error the agents see is recorded.
 */

export interface FleetOptions {
  databaseUrl: string;
  masters: number;
  agents: number;
  /** Master flags, e.g. a short --lease-timeout. */
  masterArgs?: string[];
  jobMs?: number;
}

export interface Seen {
  /** HTTP status → count, over every request any agent made to any master. */
  statuses: Map<number, number>;
  /** Error codes in 5xx bodies (E_STORE_UNAVAILABLE …). */
  codes: Map<string, number>;
  /** Transport errors (ECONNREFUSED …). */
  network: Map<string, number>;
  /** Master switches: "from -> to". */
  switches: string[];
}

export interface Fleet {
  masters: SpawnedMaster[];
  agents: Agent[];
  seen: Seen;
  stop(): Promise<void>;
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

function recording(inner: FetchLike, seen: Seen): FetchLike {
  return async (url, init) => {
    try {
      const response = await inner(url, init);
      bump(seen.statuses, response.status);
      if (response.status < 500) return response;
      const text = await response.text();
      try {
        const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        if (code) bump(seen.codes, code);
      } catch {
        bump(seen.codes, 'not JSON');
      }
      return { ok: response.ok, status: response.status, text: async () => text };
    } catch (error) {
      if ((error as Error).name !== 'AbortError')
        bump(seen.network, (error as { code?: string }).code ?? 'other');
      throw error;
    }
  };
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const dir = tempDir('ffrtmp-scale-');
  const seen: Seen = { statuses: new Map(), codes: new Map(), network: new Map(), switches: [] };
  const masters: SpawnedMaster[] = [];
  const agents: Agent[] = [];
  const transports: { close(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(agents.map((a) => a.stop({ force: true })));
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all(masters.map((m) => m.kill()));
    dir.cleanup();
  };
  try {
    for (let i = 0; i < o.masters; i++) {
      masters.push(await spawnMaster(['--database-url', o.databaseUrl, ...(o.masterArgs ?? [])]));
    }
    const jobMs = o.jobMs ?? 20;
    const execute = async (run: JobRun): Promise<JobEnd> => {
      await run.client.reportProgress(run.job.id, {
        node_id: run.nodeId,
        attempt: run.job.attempt,
        progress: 0.5,
      });
      await new Promise((resolve) => setTimeout(resolve, jobMs));
      return {
        kind: 'result',
        result: {
          job_id: run.job.id,
          node_id: run.nodeId,
          attempt: run.job.attempt,
          status: 'completed',
          completed_at: new Date().toISOString(),
          error: null,
          metrics: { frames_encoded: 1 },
        },
      };
    };
    for (let i = 0; i < o.agents; i++) {
      // Agent i prefers master i mod M: the fleet is spread over all of them.
      const urls = masters.map((_, k) => (masters[(i + k) % masters.length] as SpawnedMaster).url);
      const transport = createTransport({ connections: 4 });
      transports.push(transport);
      const failover = createFailoverFetch({
        urls,
        fetch: recording(transport.fetch, seen),
        onSwitch: (from, to) => seen.switches.push(`${from} -> ${to}`),
      });
      const workDir = join(dir.path, `agent-${i}`);
      const agent = createAgent({
        client: createMasterClient({ baseUrl: failover.baseUrl, fetch: failover.fetch }),
        spool: openSpool(workDir),
        registration: { address: `scale-${i}`, node_key: `scale-node-${i}`, max_concurrent_jobs: 1 },
        options: {
          pollIntervalMs: 2000,
          heartbeatIntervalMs: 500,
          maxConcurrentJobs: 1,
          workDir,
          mediaDir: workDir,
          ffmpegPath: 'ffmpeg',
          progressIntervalMs: 500,
          graceMs: 100,
          defaultFileTimeoutMs: 10_000,
        },
        execute,
      });
      agents.push(agent);
      agent.start();
    }
    return { masters, agents, seen, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Submits `count` jobs, alternating between the masters' URLs, a few at a time. */
export async function submitJobs(urls: string[], count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`${urls[i % urls.length]}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ scenario: `${prefix}-${i}`, parameters: { duration: 1 } }),
        });
        if (res.status !== 201) throw new Error(`submit ${i}: HTTP ${res.status} ${await res.text()}`);
        ids.push(((await res.json()) as { id: string }).id);
      }
    }),
  );
  return ids;
}

export interface Ledger {
  jobs: number;
  completed: number;
  /** Jobs with a number of completed results other than one. */
  notExactlyOnce: { job_id: string; completed_results: number }[];
  /** attempt → number of jobs that completed at that attempt. */
  attempts: Map<number, number>;
  results: number;
}

/** What the database says: results per job, counted in SQL (not through a master). */
export async function ledger(databaseUrl: string): Promise<Ledger> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const jobs = await client.query<{ status: string; attempt: number; n: number }>(
      'SELECT status, attempt, COUNT(*)::int AS n FROM jobs GROUP BY status, attempt',
    );
    const odd = await client.query<{ job_id: string; completed_results: number }>(
      `SELECT j.id AS job_id, COUNT(r.job_id) FILTER (WHERE r.status = 'completed')::int AS completed_results
       FROM jobs j LEFT JOIN results r ON r.job_id = j.id GROUP BY j.id
       HAVING COUNT(r.job_id) FILTER (WHERE r.status = 'completed') <> 1`,
    );
    const results = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM results');
    const attempts = new Map<number, number>();
    let total = 0;
    let completed = 0;
    for (const row of jobs.rows) {
      total += row.n;
      if (row.status === 'completed') {
        completed += row.n;
        attempts.set(row.attempt, (attempts.get(row.attempt) ?? 0) + row.n);
      }
    }
    return { jobs: total, completed, notExactlyOnce: odd.rows, attempts, results: results.rows[0]?.n ?? 0 };
  } finally {
    await client.end();
  }
}

/** Jobs completed so far, read from the database. */
export async function completedCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT COUNT(*)::int AS n FROM jobs WHERE status = 'completed'",
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
