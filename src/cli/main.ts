#!/usr/bin/env node
import { group, lazy } from './command.js';
import { runCli } from './run.js';

const root = group(
  'ffrtmp',
  'Run FFmpeg transcoding workloads on one machine or a fleet and measure their energy.',
  [
    lazy(
      'demo',
      'A short standalone benchmark through ffrtmp up: five scenarios, their analysis and the dashboard URL',
      async () => (await import('./commands/demo.js')).demoCommand,
    ),
    lazy(
      'up',
      'Standalone mode: master, local agent, nginx-rtmp and VictoriaMetrics (what is installed) until Ctrl-C',
      async () => (await import('./commands/up.js')).upCommand,
    ),
    lazy(
      'down',
      'Stop the ffrtmp up running in the background (ffrtmp up --detach)',
      async () => (await import('./commands/up.js')).downCommand,
    ),
    lazy(
      'test',
      'Run benchmark scenarios (single, multi, batch, suite) and write a results file',
      async () => (await import('./commands/test.js')).testCommand,
    ),
    lazy(
      'analyze',
      'Efficiency scores, ranking, cost and CO2 of benchmark results (table, json, csv)',
      async () => (await import('./commands/analyze.js')).analyzeCommand,
    ),
    lazy(
      'advise',
      'The configuration with the least energy that meets quality/fps targets, and what it saves',
      async () => (await import('./commands/advise.js')).adviseCommand,
    ),
    lazy(
      'models',
      'Train and query power/energy models per hardware id',
      async () => (await import('./commands/models.js')).modelsCommand,
    ),
    lazy(
      'recommend',
      'The benchmark to run on this machine, and why',
      async () => (await import('./commands/recommend.js')).recommendCommand,
    ),
    lazy(
      'master',
      'Run the master: job queue, node registry and HTTP API',
      async () => (await import('./commands/master.js')).masterCommand,
    ),
    lazy(
      'agent',
      'Run a compute node: register, heartbeat, pull jobs, run FFmpeg, upload results',
      async () => (await import('./commands/agent.js')).agentCommand,
    ),
    lazy(
      'jobs',
      'Submit, inspect, cancel and retry jobs',
      async () => (await import('./commands/jobs.js')).jobsCommand,
    ),
    lazy(
      'runs',
      'List benchmark runs and show their results',
      async () => (await import('./commands/runs.js')).runsCommand,
    ),
    lazy(
      'nodes',
      'List, inspect and remove compute nodes',
      async () => (await import('./commands/nodes.js')).nodesCommand,
    ),
    lazy(
      'db',
      'Apply migrations; copy a standalone SQLite database into PostgreSQL',
      async () => (await import('./commands/db.js')).dbCommand,
    ),
    lazy(
      'certs',
      'Write a private CA plus server and client certificates for TLS',
      async () => (await import('./commands/certs.js')).certsCommand,
    ),
    lazy(
      'health-check',
      'Check every scrape target (reachable, samples, expected metrics); serve exporter_* metrics',
      async () => (await import('./commands/health-check.js')).healthCheckCommand,
    ),
    lazy(
      'doctor',
      'What this machine can run and measure (FFmpeg, RAPL, NVIDIA, estimator), with fixes',
      async () => (await import('./commands/doctor.js')).doctorCommand,
    ),
  ],
);

// First SIGINT/SIGTERM: commands drain. Second: they stop now. Third: exit at once.
const drain = new AbortController();
const force = new AbortController();
let signals = 0;
const onSignal = (sig: NodeJS.Signals) => {
  signals++;
  if (signals === 1) drain.abort(new Error(`received ${sig}`));
  else if (signals === 2) force.abort(new Error(`received ${sig} again`));
  else process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(root, {
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  signal: drain.signal,
  force: force.signal,
});
process.exitCode = code;
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
