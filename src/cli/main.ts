#!/usr/bin/env node
import { group } from './command.js';
import { certsCommand } from './commands/certs.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { jobsCommand } from './commands/jobs.js';
import { masterCommand } from './commands/master.js';
import { agentCommand } from './commands/agent.js';
import { nodesCommand } from './commands/nodes.js';
import { runCli } from './run.js';

const root = group(
  'ffrtmp',
  'Run FFmpeg transcoding workloads on one machine or a fleet and measure their energy.',
  [demoCommand, masterCommand, agentCommand, jobsCommand, nodesCommand, certsCommand, doctorCommand],
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
