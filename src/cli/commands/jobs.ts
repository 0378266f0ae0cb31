import { readFileSync } from 'node:fs';
import type { JobJson } from '../../core/contract/schemas.js';
import { CONFIDENCES, JOB_STATUSES, PRIORITIES } from '../../core/job.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { type Command, group, leaf } from '../command.js';
import { clientOptions, formatTable, withClient } from '../client-options.js';

function jobRows(jobs: readonly JobJson[]): string {
  return formatTable(
    ['ID', 'SCENARIO', 'STATUS', 'PRIORITY', 'ATTEMPT', 'NODE', 'PROGRESS', 'CREATED'],
    jobs.map((j) => [
      j.id,
      j.scenario,
      j.status,
      j.priority,
      String(j.attempt),
      j.node_id ?? '-',
      `${Math.round(j.progress * 100)}%`,
      j.created_at,
    ]),
  );
}

function parseParametersJson(text: string, from: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new FfrtmpError('E_INVALID_PARAMETER', `${from}: not valid JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FfrtmpError('E_INVALID_PARAMETER', `${from}: expected a JSON object of job parameters`);
  }
  return value as Record<string, unknown>;
}

const submit = leaf({
  name: 'submit',
  summary: 'Submit a job',
  usage: 'ffrtmp jobs submit --scenario NAME [--param key=value …] [--params JSON | --params-file FILE]',
  description:
    'Submit a job. Parameters come from --params (a JSON object), --params-file, and/or repeated --param key=value ' +
    '(numbers and true/false are converted). Example: ffrtmp jobs submit --scenario 720p-5M --param duration=30 --param bitrate=5000k',
  options: defineOptions({
    ...clientOptions,
    scenario: { flag: 'scenario', type: 'string', description: 'Scenario name (required)' },
    params: { flag: 'params', type: 'string', description: 'Job parameters as a JSON object' },
    paramsFile: {
      flag: 'params-file',
      type: 'string',
      description: 'File holding the job parameters as JSON',
    },
    param: {
      flag: 'param',
      type: 'list',
      default: [],
      description: 'One parameter as key=value (repeatable)',
    },
    priority: {
      flag: 'priority',
      type: 'enum',
      choices: PRIORITIES,
      default: 'medium',
      description: 'Queue priority',
    },
    confidence: {
      flag: 'confidence',
      type: 'enum',
      choices: CONFIDENCES,
      default: 'auto',
      description: 'Confidence level',
    },
    maxRetries: {
      flag: 'max-retries',
      type: 'int',
      min: 0,
      max: 20,
      description: 'Retries after a lost lease (master default if unset)',
    },
    node: { flag: 'node', type: 'string', description: 'Pin the job to this node id' },
  }),
  async run(o, _p, io) {
    if (!o.scenario)
      throw new FfrtmpError('E_INVALID_CONFIG', '--scenario: required, e.g. --scenario test-1080p');
    const parameters: Record<string, unknown> = {
      ...(o.paramsFile ? parseParametersJson(readFileSync(o.paramsFile, 'utf8'), '--params-file') : {}),
      ...(o.params ? parseParametersJson(o.params, '--params') : {}),
    };
    for (const kv of o.param) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new FfrtmpError('E_INVALID_CONFIG', `--param: expected key=value, got "${kv}"`);
      const raw = kv.slice(eq + 1);
      parameters[kv.slice(0, eq)] =
        raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    }
    const job = await withClient(o, (c) =>
      c.submitJob({
        scenario: o.scenario ?? '',
        parameters,
        priority: o.priority,
        confidence: o.confidence,
        ...(o.maxRetries === undefined ? {} : { max_retries: o.maxRetries }),
        ...(o.node ? { target_node_id: o.node } : {}),
      }),
    );
    io.out(
      o.json ? JSON.stringify(job, null, 2) : `submitted job ${job.id} (${job.scenario}, ${job.status})`,
    );
    return 0;
  },
});

const list = leaf({
  name: 'list',
  summary: 'List jobs',
  usage: 'ffrtmp jobs list [--status S] [--node ID] [--run ID] [--limit N]',
  options: defineOptions({
    ...clientOptions,
    status: { flag: 'status', type: 'enum', choices: JOB_STATUSES, description: 'Only jobs in this status' },
    node: { flag: 'node', type: 'string', description: 'Only jobs held by this node' },
    run: { flag: 'run', type: 'string', description: 'Only jobs of this run' },
    limit: { flag: 'limit', type: 'int', default: 100, min: 1, max: 1000, description: 'Page size' },
    cursor: { flag: 'cursor', type: 'string', description: 'next_cursor of a previous page' },
  }),
  async run(o, _p, io) {
    const page = await withClient(o, (c) =>
      c.listJobs({ status: o.status, node_id: o.node, run_id: o.run, limit: o.limit, cursor: o.cursor }),
    );
    if (o.json) io.out(JSON.stringify(page, null, 2));
    else {
      io.out(page.count === 0 ? 'no jobs' : jobRows(page.jobs));
      if (page.next_cursor) io.out(`more: --cursor ${page.next_cursor}`);
    }
    return 0;
  },
});

function byId(
  name: string,
  summary: string,
  action: (c: Parameters<Parameters<typeof withClient>[1]>[0], id: string) => Promise<JobJson>,
  verb: string,
): Command {
  return leaf({
    name,
    summary,
    usage: `ffrtmp jobs ${name} JOB_ID`,
    options: clientOptions,
    async run(o, positionals, io) {
      const id = positionals[0];
      if (!id || positionals.length > 1)
        throw new FfrtmpError('E_INVALID_CONFIG', `expected one JOB_ID, got ${positionals.length}`);
      const job = await withClient(o, (c) => action(c, id));
      if (o.json || verb === '') io.out(JSON.stringify(job, null, 2));
      else io.out(`job ${job.id} ${verb}: now ${job.status}${job.error ? ` (${job.error})` : ''}`);
      return 0;
    },
  });
}

export const jobsCommand = group('jobs', 'Submit, inspect, cancel and retry jobs', [
  submit,
  list,
  byId('show', 'Show one job', (c, id) => c.getJob(id), ''),
  byId('cancel', 'Cancel a job (a running encode is stopped)', (c, id) => c.cancelJob(id), 'canceled'),
  byId('retry', 'Retry a failed or canceled job', (c, id) => c.retryJob(id), 'requeued'),
]);
