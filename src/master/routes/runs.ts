import { analyzeRecords } from '../../core/analysis/report.js';
import { toJobJson, toRunJson } from '../../core/contract/json.js';
import type { RunDetailJson } from '../../core/contract/schemas.js';
import { type FieldProblem, invalid, isFfrtmpError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { parseJobParameters } from '../../core/job-parameters.js';
import { type JobResult, type NewJob, scenarioKindOf } from '../../core/records.js';
import { runResultsDocument } from '../../core/run-stats.js';
import { MAX_PAGE_LIMIT } from '../../store/paging.js';
import type { PageOf } from '../../store/port.js';
import type { MasterContext } from '../create-master.js';
import { mountRoute } from '../http.js';

/** Every item of a paged store list (a run has at most MAX_RUN_JOBS jobs, a few pages). */
async function all<T>(list: (cursor: string | undefined) => Promise<PageOf<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor);
    items.push(...page.items);
    if (page.next_cursor === null) return items;
    cursor = page.next_cursor;
  }
}

export function mountRunRoutes(ctx: MasterContext): void {
  const { app, authorize, store, clock, events, options, newId } = ctx;

  mountRoute(app, authorize, 'createRun', async ({ body }) => {
    const problems: FieldProblem[] = [];
    const jobs: NewJob[] = [];
    const runId = newId();
    for (const [i, spec] of body.jobs.entries()) {
      try {
        jobs.push({
          id: newId(),
          scenario: spec.scenario,
          confidence: spec.confidence ?? 'auto',
          parameters: parseJobParameters(spec.parameters ?? {}),
          priority: spec.priority ?? 'medium',
          max_retries: spec.max_retries ?? options.maxRetries,
          run_id: runId,
          target_node_id: spec.target_node_id ?? null,
        });
      } catch (error) {
        const inner = isFfrtmpError(error)
          ? (error.details?.problems as FieldProblem[] | undefined)
          : undefined;
        if (!inner) throw error;
        problems.push(...inner.map((p) => ({ field: `jobs[${i}].${p.field}`, message: p.message })));
      }
    }
    if (problems.length > 0) throw invalid(problems);
    const entries = body.jobs.map((spec, i) => {
      const job = jobs[i] as NewJob;
      return {
        job_id: job.id,
        kind: spec.kind ?? scenarioKindOf(job.parameters),
        group: spec.group ?? null,
        repetition: spec.repetition ?? null,
      };
    });
    const created = await store.createRun(
      { id: runId, name: body.name, options: body.options ?? {}, entries },
      jobs,
      clock(),
    );
    for (const job of created.jobs) events.emit('job:submitted', job);
    return toRunJson(created.run);
  });

  mountRoute(app, authorize, 'listRuns', async ({ query }) => {
    const page = await store.listRuns({
      limit: query.limit === undefined ? undefined : Number(query.limit),
      cursor: query.cursor,
    });
    return { count: page.items.length, runs: page.items.map(toRunJson), next_cursor: page.next_cursor };
  });

  mountRoute(app, authorize, 'getRun', async ({ params }): Promise<RunDetailJson> => {
    const run = await store.getRun(params.id ?? '');
    const limit = MAX_PAGE_LIMIT;
    const jobs = new Map<string, Job>();
    for (const job of await all((cursor) => store.listJobs({ run_id: run.id }, { limit, cursor })))
      jobs.set(job.id, job);
    const latest = new Map<string, JobResult>();
    for (const r of await all((cursor) => store.listResults({ run_id: run.id }, { limit, cursor }))) {
      const seen = latest.get(r.job_id);
      if (!seen || r.attempt > seen.attempt) latest.set(r.job_id, r);
    }
    const items = run.entries.flatMap((entry) => {
      const job = jobs.get(entry.job_id);
      return job ? [{ entry, job: toJobJson(job), result: latest.get(job.id) }] : [];
    });
    const results = runResultsDocument(run.created_at, items);
    // The analysis `ffrtmp analyze --run` would print, priced in the master's region.
    const analysis = analyzeRecords(results.scenarios, ctx.pricing ? { pricing: ctx.pricing } : {});
    return { ...toRunJson(run), results, analysis };
  });
}
