import { toJobJson } from '../../core/contract/json.js';
import { FfrtmpError, isFfrtmpError } from '../../core/errors.js';
import { parseJobParameters } from '../../core/job-parameters.js';
import { type JobPrediction, nodeHardwareId, predictJob } from '../../core/analysis/job-prediction.js';
import type { Job } from '../../core/job.js';
import type { MasterContext } from '../create-master.js';
import { mountRoute } from '../http.js';

/** The job's prediction on its target node's hardware, else its assigned node's; null without a model. */
async function predictionOf(ctx: MasterContext, job: Job): Promise<JobPrediction | null> {
  const nodeId = job.target_node_id ?? job.node_id;
  if (ctx.models.size === 0 || nodeId === null) return null;
  let hardwareId: string;
  try {
    hardwareId = nodeHardwareId(await ctx.store.getNode(nodeId));
  } catch (error) {
    if (isFfrtmpError(error) && error.code === 'E_NODE_NOT_FOUND') return null; // removed since
    throw error;
  }
  const models = ctx.models.get(hardwareId);
  return models ? predictJob(models, hardwareId, job.parameters) : null;
}

export function mountJobRoutes(ctx: MasterContext): void {
  const { app, authorize, store, clock, events, options, waitList, newId } = ctx;

  mountRoute(app, authorize, 'submitJob', async ({ body }) => {
    const job = await store.enqueue(
      {
        id: newId(),
        scenario: body.scenario,
        confidence: body.confidence ?? 'auto',
        parameters: parseJobParameters(body.parameters ?? {}),
        priority: body.priority ?? 'medium',
        max_retries: body.max_retries ?? options.maxRetries,
        run_id: body.run_id ?? null,
        target_node_id: body.target_node_id ?? null,
      },
      clock(),
    );
    events.emit('job:submitted', job);
    return toJobJson(job);
  });

  mountRoute(app, authorize, 'listJobs', async ({ query }) => {
    const page = await store.listJobs(
      { status: query.status, node_id: query.node_id, run_id: query.run_id },
      { limit: query.limit === undefined ? undefined : Number(query.limit), cursor: query.cursor },
    );
    return { count: page.items.length, jobs: page.items.map(toJobJson), next_cursor: page.next_cursor };
  });

  // Long-poll: claim at once, else park until something may have become claimable, the wait
  // ends, or the client goes away.
  mountRoute(app, authorize, 'nextJob', async ({ query, request }) => {
    const waitMs = Math.min(options.maxWaitMs, Math.round(Number(query.wait ?? 0) * 1000));
    const deadline = clock() + waitMs;
    const gone = new AbortController();
    request.raw.once('close', () => gone.abort());
    const claimOptions = { leaseMs: options.leaseMs };
    for (;;) {
      const job = await store.claimNext(query.node_id, clock(), claimOptions);
      if (job) {
        if (gone.signal.aborted) {
          // The poller left between our claim and the answer; its lease will lapse and requeue.
          request.log.warn({ job_id: job.id }, 'poller left after claim');
        }
        events.emit('job:claimed', job);
        return { job: toJobJson(job) };
      }
      const left = deadline - clock();
      if (left <= 0 || gone.signal.aborted || waitList.closed) return { job: null };
      await waitList.wait(left, gone.signal);
    }
  });

  mountRoute(app, authorize, 'getJob', async ({ params }) => {
    const job = await store.getJob(params.id ?? '');
    const predicted = await predictionOf(ctx, job);
    return predicted ? { ...toJobJson(job), predicted } : toJobJson(job);
  });

  mountRoute(app, authorize, 'cancelJob', async ({ params }) => {
    const job = await store.cancelJob(params.id ?? '', clock());
    events.emit('job:canceled', job);
    return toJobJson(job);
  });

  mountRoute(app, authorize, 'retryJob', async ({ params }) => {
    const job = await store.retryJob(params.id ?? '', clock());
    events.emit('job:submitted', job);
    return toJobJson(job);
  });

  mountRoute(app, authorize, 'reportProgress', async ({ params, body }) => {
    const jobId = params.id ?? '';
    if (!jobId) throw new FfrtmpError('E_INVALID_PARAMETER', 'job id missing in path');
    const job = await store.renewLease(
      { jobId, nodeId: body.node_id, attempt: body.attempt, progress: body.progress, stats: body.stats },
      clock(),
      { leaseMs: options.leaseMs },
    );
    return toJobJson(job);
  });
}
