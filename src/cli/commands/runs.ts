import type { RunDetailJson, RunJson } from '../../core/contract/schemas.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { group, leaf } from '../command.js';
import { clientOptions, formatTable, withClient } from '../client-options.js';

const progressOf = (r: RunJson) => {
  const counts = Object.values(r.job_counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const done = (r.job_counts.completed ?? 0) + (r.job_counts.failed ?? 0) + (r.job_counts.canceled ?? 0);
  return `${done}/${total}`;
};

function runRows(runs: readonly RunJson[]): string {
  return formatTable(
    ['ID', 'NAME', 'STATUS', 'DONE', 'CREATED'],
    runs.map((r) => [r.id, r.name, r.status, progressOf(r), r.created_at]),
  );
}

const fmt = (v: unknown, digits = 1) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
const field = (section: unknown, key: string): unknown =>
  typeof section === 'object' && section !== null ? (section as Record<string, unknown>)[key] : undefined;

function runDetail(run: RunDetailJson): string {
  const head = [
    `run ${run.id}: ${run.name}`,
    `status ${run.status}, ${progressOf(run)} job(s) finished, created ${run.created_at}`,
    `options ${JSON.stringify(run.options)}`,
  ];
  const scenarios = run.results.scenarios;
  if (scenarios.length === 0) return [...head, 'no scenario finished yet'].join('\n');
  const table = formatTable(
    ['SCENARIO', 'STATUS', 'RES', 'FPS', 'KBPS', 'STREAMS', 'MEAN W', 'ENERGY J', 'NET J'],
    scenarios.map((s) => [
      String(s.name),
      String(s.status),
      String(s.resolution ?? '-'),
      fmt(s.fps, 0),
      String(s.bitrate),
      String(s.streams),
      fmt(field(s.power, 'mean_watts')),
      fmt(field(s.energy, 'total_joules')),
      fmt(field(s.energy, 'net_joules')),
    ]),
  );
  return [...head, '', table].join('\n');
}

export const runsCommand = group('runs', 'List benchmark runs and show their results', [
  leaf({
    name: 'list',
    summary: 'List runs, oldest first',
    usage: 'ffrtmp runs list [--limit N] [--cursor C] [--json]',
    options: defineOptions({
      ...clientOptions,
      limit: { flag: 'limit', type: 'int', default: 100, min: 1, max: 1000, description: 'Page size' },
      cursor: { flag: 'cursor', type: 'string', description: 'next_cursor of a previous page' },
    }),
    async run(o, _p, io) {
      const page = await withClient(o, (c) => c.listRuns({ limit: o.limit, cursor: o.cursor }));
      if (o.json) io.out(JSON.stringify(page, null, 2));
      else {
        io.out(page.count === 0 ? 'no runs' : runRows(page.runs));
        if (page.next_cursor) io.out(`more: --cursor ${page.next_cursor}`);
      }
      return 0;
    },
  }),
  leaf({
    name: 'show',
    summary: 'Show one run and its results (--json: the run plus the results document)',
    usage: 'ffrtmp runs show RUN_ID [--json]',
    options: clientOptions,
    async run(o, positionals, io) {
      const id = positionals[0];
      if (!id || positionals.length > 1)
        throw new FfrtmpError('E_INVALID_CONFIG', `expected one RUN_ID, got ${positionals.length}`);
      const run = await withClient(o, (c) => c.getRun(id));
      io.out(o.json ? JSON.stringify(run, null, 2) : runDetail(run));
      return 0;
    },
  }),
]);
