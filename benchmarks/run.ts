/**
 * Benchmarks of the master over real HTTP. `npm run bench` runs them all; `npm run bench -- dispatch`
 * picks by name. Flags: --duration S (timed window, default 20), --workers N (default 50),
 * --rounds N (submit-to-assigned rounds, default 200), --json FILE (also write the numbers),
 * --profile (run the master under --cpu-prof and print the top self-time functions).
 * `agent`: --idle S (idle window, default 60), --job-duration S (the live job, default 20).
 * `sampler`: --seconds S (each of its three runs: no sampler, 1 Hz, 10 Hz; default 60).
 * `load`: --agents N (simulated agents, default 1000), --setups sqlite,postgres,postgres2 (one master on
 * SQLite, one on PostgreSQL, two on one PostgreSQL), --heartbeat-ms, --job-ms, --poll-wait S, --duration.
 * `claim`: --depths 1000,100000 (queued jobs), --claims N (timed claims per depth, default 1000);
 * SQLite and PostgreSQL (a throwaway database on the local cluster, or on FFRTMP_TEST_DATABASE_URL's server).
 * Exits non-zero only when the harness itself fails; missed bars print MISS.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { checkAgentAims, formatAgent, runAgentBench } from './agent.js';
import { formatClaim, runClaimBench } from './claim.js';
import { checkBars, formatDispatch, runDispatch } from './dispatch.js';
import { type BenchMaster, startBenchMaster } from './lib/master.js';
import { createTestDatabase } from '../test/postgres.js';
import { checkLoadBars, formatLoad, runLoad } from './load.js';
import { profileFiles, topSelfTime } from './lib/profile.js';
import { cpuModel } from './lib/proc.js';
import { formatSampler, runSamplerBench } from './sampler.js';

interface Flags {
  duration: number;
  workers: number;
  rounds: number;
  profile: boolean;
  seconds: number;
  idle: number;
  jobDuration: number;
  depths: number[];
  claims: number;
  agents: number;
  setups: string[];
  heartbeatMs: number;
  jobMs: number;
  pollWait: number;
}

const LOAD_SETUPS: Record<string, { masters: number; postgres: boolean }> = {
  sqlite: { masters: 1, postgres: false },
  postgres: { masters: 1, postgres: true },
  postgres2: { masters: 2, postgres: true },
};

const BENCHMARKS: Record<string, (flags: Flags) => Promise<unknown>> = {
  async dispatch(flags) {
    const master = await startBenchMaster({ profile: flags.profile });
    try {
      const report = await runDispatch({
        durationSec: flags.duration,
        workers: flags.workers,
        warmupSec: 2,
        rounds: flags.rounds,
        parkMs: 20,
        master,
      });
      console.log(formatDispatch(report));
      const code = await master.stop();
      if (code !== 0) console.log(`  note: master exited with ${code}; its output:\n${master.output()}`);
      const profile = master.profileDir ? printProfile(master.profileDir) : undefined;
      return { ...report, bars: checkBars(report), ...(profile ? { profile } : {}) };
    } finally {
      await master.cleanup();
    }
  },
  async agent(flags) {
    const master = await startBenchMaster();
    try {
      const report = await runAgentBench({
        idleSec: flags.idle,
        jobDurationSec: flags.jobDuration,
        settleSec: 5,
        master,
      });
      console.log(formatAgent(report));
      const code = await master.stop();
      if (code !== 0) console.log(`  note: master exited with ${code}; its output:\n${master.output()}`);
      return { ...report, aims: checkAgentAims(report) };
    } finally {
      await master.cleanup();
    }
  },
  async load(flags) {
    const reports = [];
    for (const setup of flags.setups) {
      const spec = LOAD_SETUPS[setup];
      if (!spec) throw new Error(`--setups: unknown "${setup}"; known: ${Object.keys(LOAD_SETUPS)}`);
      const db = spec.postgres ? await createTestDatabase() : undefined;
      const masters: BenchMaster[] = [];
      try {
        for (let i = 0; i < spec.masters; i++) {
          masters.push(
            await startBenchMaster({
              profile: flags.profile,
              ...(db ? { storeArgs: ['--database-url', db.url] } : {}),
            }),
          );
        }
        const report = await runLoad({
          label: setup,
          masters,
          agents: flags.agents,
          warmupSec: 3,
          durationSec: flags.duration,
          heartbeatMs: flags.heartbeatMs,
          pollWaitSec: flags.pollWait,
          jobMs: flags.jobMs,
          // Twice the fleet: with every agent busy, as many jobs still wait, so a poll finds one at once.
          backlog: 2 * flags.agents,
          ...(db ? { databasePids: () => backendPids(db.url) } : {}),
        });
        console.log(`${formatLoad(report)}\n`);
        const profiles = [];
        for (const m of masters) {
          await m.stop();
          if (m.profileDir) profiles.push(printProfile(m.profileDir));
        }
        reports.push({ ...report, bars: checkLoadBars(report), ...(flags.profile ? { profiles } : {}) });
      } finally {
        for (const m of masters) await m.cleanup();
        await db?.drop();
      }
    }
    return reports;
  },
  async claim(flags) {
    const rows = await runClaimBench({
      depths: flags.depths,
      claims: flags.claims,
    });
    console.log(formatClaim(rows, flags.claims));
    return rows;
  },
  async sampler(flags) {
    const report = await runSamplerBench({ seconds: flags.seconds, windowSec: 10 });
    console.log(formatSampler(report));
    return report;
  },
};

/** The server processes of every connection to this database (the masters' pools and LISTEN). */
async function backendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

function printProfile(dir: string) {
  const [file] = profileFiles(dir);
  if (!file) {
    console.log('  profile: no .cpuprofile written (did the master exit cleanly?)');
    return undefined;
  }
  const { total, idle, top, byArea } = topSelfTime(file, 15);
  const idlePct = total ? ((100 * idle) / total).toFixed(0) : '0';
  console.log(
    `\nmaster CPU profile, whole lifetime: ${total} samples, ${idlePct}% idle; top 15 by self time, % of busy samples`,
  );
  for (const e of top) {
    console.log(`  ${e.percent.toFixed(1).padStart(5)}%  ${e.name.slice(0, 40).padEnd(40)} ${e.location}`);
  }
  console.log('  by area, % of busy samples:');
  for (const a of byArea.slice(0, 10)) console.log(`  ${a.percent.toFixed(1).padStart(5)}%  ${a.area}`);
  return { samples: total, idle, top, byArea };
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '20' },
      workers: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '200' },
      json: { type: 'string' },
      seconds: { type: 'string', default: '60' },
      profile: { type: 'boolean', default: false },
      idle: { type: 'string', default: '60' },
      'job-duration': { type: 'string', default: '20' },
      depths: { type: 'string', default: '1000,100000' },
      claims: { type: 'string', default: '1000' },
      agents: { type: 'string', default: '1000' },
      setups: { type: 'string', default: 'sqlite,postgres,postgres2' },
      'heartbeat-ms': { type: 'string', default: '5000' },
      'job-ms': { type: 'string', default: '5000' },
      'poll-wait': { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      `usage: npm run bench -- [${Object.keys(BENCHMARKS).join('|')}] [--duration S] [--workers N] [--rounds N] [--json FILE] [--profile] [--seconds S] [--idle S] [--job-duration S] [--depths N,N] [--claims N] [--agents N] [--setups sqlite,postgres,postgres2] [--heartbeat-ms N] [--job-ms N] [--poll-wait S]`,
    );
    return 0;
  }
  const flags: Flags = {
    duration: positiveInt('duration', values.duration),
    workers: positiveInt('workers', values.workers),
    rounds: positiveInt('rounds', values.rounds),
    profile: values.profile,
    seconds: positiveInt('seconds', values.seconds),
    idle: positiveInt('idle', values.idle),
    jobDuration: positiveInt('job-duration', values['job-duration']),
    depths: values.depths.split(',').map((d) => positiveInt('depths', d.trim())),
    claims: positiveInt('claims', values.claims),
    agents: positiveInt('agents', values.agents),
    setups: values.setups.split(',').map((x) => x.trim()),
    heartbeatMs: positiveInt('heartbeat-ms', values['heartbeat-ms']),
    jobMs: positiveInt('job-ms', values['job-ms']),
    pollWait: positiveInt('poll-wait', values['poll-wait']),
  };
  const names = positionals.length ? positionals : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS)}`);

  const reproduce = ['npm run bench --', ...(positionals.length ? [] : names), ...process.argv.slice(2)];
  const env = {
    node: process.version,
    cpu: cpuModel(),
    cores: cpus().length,
    command: reproduce.join(' '),
    date: new Date().toISOString(),
  };
  console.log(`node ${env.node}, ${env.cores} × ${env.cpu}`);
  console.log(`reproduce: ${env.command}\n`);

  const results: Record<string, unknown> = {};
  for (const name of names) results[name] = await (BENCHMARKS[name] as (f: Flags) => Promise<unknown>)(flags);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify({ env, flags, results }, null, 2)}\n`);
    console.log(`\nwrote ${values.json}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  },
);
