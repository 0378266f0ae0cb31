import { type Static, Type as T } from '@sinclair/typebox';
import { CONFIDENCES, JOB_STATUSES, PRIORITIES } from '../job.js';
import { NODE_STATUSES, NODE_TYPES, POWER_SOURCES } from '../node.js';
import { RUN_STATUSES } from '../records.js';
import type { AnalysisReport } from '../analysis/report.js';
import type { ResultsDocument } from '../run-stats.js';

/**
 * The HTTP contract, written once: request and response schemas (JSON Schema via TypeBox) from
 * which the master validates, the OpenAPI document is generated, and the typed client is typed.
 * JSON names follow the reference system; times are RFC 3339 strings on the wire.
 */

const Id = T.String({ minLength: 1, maxLength: 128 });
const Time = T.String({ format: 'date-time' });
const NullableTime = T.Union([Time, T.Null()]);
const Literals = <V extends string>(values: readonly V[]) => T.Union(values.map((v) => T.Literal(v)));

export const ErrorSchema = T.Object({
  error: T.Object({
    code: T.String(),
    message: T.String(),
    details: T.Optional(T.Record(T.String(), T.Unknown())),
  }),
});

export const HealthSchema = T.Object({ status: T.Literal('healthy') });

// ---- nodes -----------------------------------------------------------------------------------

export const NodeRegistrationBody = T.Object(
  {
    address: T.String({ minLength: 1, maxLength: 255 }),
    type: T.Optional(Literals(NODE_TYPES)),
    cpu_threads: T.Optional(T.Integer({ minimum: 1, maximum: 4096 })),
    cpu_model: T.Optional(T.String({ maxLength: 255 })),
    has_gpu: T.Optional(T.Boolean()),
    gpu_type: T.Optional(T.Union([T.String({ maxLength: 255 }), T.Null()])),
    ram_bytes: T.Optional(T.Integer({ minimum: 0 })),
    labels: T.Optional(
      T.Record(T.String({ maxLength: 64 }), T.String({ maxLength: 255 }), { maxProperties: 64 }),
    ),
    encoders: T.Optional(T.Array(T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), { maxItems: 256 })),
    power_sources: T.Optional(T.Array(Literals(POWER_SOURCES), { maxItems: 8 })),
    max_concurrent_jobs: T.Optional(T.Integer({ minimum: 1, maximum: 256 })),
    agent_version: T.Optional(T.Union([T.String({ maxLength: 64 }), T.Null()])),
    ffmpeg_version: T.Optional(T.Union([T.String({ maxLength: 255 }), T.Null()])),
    node_key: T.Optional(T.Union([T.String({ minLength: 8, maxLength: 128 }), T.Null()])),
  },
  // The reference agent may send fields we do not use; they are ignored, not rejected.
  { additionalProperties: true },
);
export type NodeRegistrationBody = Static<typeof NodeRegistrationBody>;

export const NodeSchema = T.Object({
  id: Id,
  address: T.String(),
  type: Literals(NODE_TYPES),
  cpu_threads: T.Integer(),
  cpu_model: T.String(),
  has_gpu: T.Boolean(),
  gpu_type: T.Union([T.String(), T.Null()]),
  ram_bytes: T.Integer(),
  labels: T.Record(T.String(), T.String()),
  status: Literals(NODE_STATUSES),
  last_heartbeat: Time,
  registered_at: Time,
  current_job_id: T.Union([Id, T.Null()]),
  encoders: T.Array(T.String()),
  power_sources: T.Array(T.String()),
  max_concurrent_jobs: T.Integer(),
  agent_version: T.Union([T.String(), T.Null()]),
  ffmpeg_version: T.Union([T.String(), T.Null()]),
  node_key: T.Union([T.String(), T.Null()]),
});
export type NodeJson = Static<typeof NodeSchema>;

export const NodeListSchema = T.Object({
  count: T.Integer(),
  nodes: T.Array(NodeSchema),
  next_cursor: T.Union([T.String(), T.Null()]),
});

/**
 * Anything (the reference agent sends its own fields), plus our agent's `job_ids`: the jobs it still
 * has; only their leases are renewed (absent: all the node's jobs).
 */
export const HeartbeatBody = T.Union([
  T.Object(
    { job_ids: T.Optional(T.Array(T.String({ minLength: 1, maxLength: 128 }), { maxItems: 1024 })) },
    { additionalProperties: true },
  ),
  T.Null(),
]);
export const HeartbeatResponse = T.Object({ status: T.Literal('ok'), node: NodeSchema });

// ---- jobs --------------------------------------------------------------------------------------

export const JobSubmissionBody = T.Object(
  {
    scenario: T.String({ minLength: 1, maxLength: 200 }),
    confidence: T.Optional(Literals(CONFIDENCES)),
    // Checked field by field by parseJobParameters (core/job-parameters.ts).
    parameters: T.Optional(T.Record(T.String(), T.Unknown())),
    priority: T.Optional(Literals(PRIORITIES)),
    max_retries: T.Optional(T.Integer({ minimum: 0, maximum: 20 })),
    run_id: T.Optional(T.Union([T.String({ minLength: 1, maxLength: 128 }), T.Null()])),
    target_node_id: T.Optional(T.Union([Id, T.Null()])),
  },
  { additionalProperties: false },
);
export type JobSubmissionBody = Static<typeof JobSubmissionBody>;

export const JobSchema = T.Object({
  id: Id,
  scenario: T.String(),
  confidence: Literals(CONFIDENCES),
  parameters: T.Record(T.String(), T.Unknown()),
  status: Literals(JOB_STATUSES),
  priority: Literals(PRIORITIES),
  node_id: T.Union([Id, T.Null()]),
  target_node_id: T.Union([Id, T.Null()]),
  run_id: T.Union([T.String(), T.Null()]),
  requires: T.Array(T.String()),
  attempt: T.Integer(),
  retry_count: T.Integer(),
  max_retries: T.Integer(),
  progress: T.Number(),
  stats: T.Union([T.Record(T.String(), T.Number()), T.Null()]),
  error: T.Union([T.String(), T.Null()]),
  created_at: Time,
  assigned_at: NullableTime,
  started_at: NullableTime,
  completed_at: NullableTime,
  lease_expires_at: NullableTime,
  not_before: NullableTime,
  /**
   * `GET /jobs/{id}` only: the job's energy predicted by the models of its node's hardware id
   * (the target node, else the assigned one), when the master has models for it.
   */
  predicted: T.Optional(
    T.Object({
      mean_power_w: T.Number(),
      energy_j: T.Union([T.Number(), T.Null()]),
      low: T.Number(),
      high: T.Number(),
      model: Literals(['multivariate', 'power_vs_streams'] as const),
      hardware_id: T.String(),
    }),
  ),
});
export type JobJson = Static<typeof JobSchema>;

export const JobListSchema = T.Object({
  count: T.Integer(),
  jobs: T.Array(JobSchema),
  next_cursor: T.Union([T.String(), T.Null()]),
});

export const NextJobSchema = T.Object({ job: T.Union([JobSchema, T.Null()]) });

export const ProgressBody = T.Object(
  {
    node_id: Id,
    attempt: T.Optional(T.Integer({ minimum: 1 })),
    progress: T.Optional(T.Number({ minimum: 0, maximum: 1 })),
    // Live encoder statistics (fps, speed, frames, bitrate_kbps, dropped …), numbers only.
    stats: T.Optional(T.Record(T.String({ maxLength: 64 }), T.Number(), { maxProperties: 64 })),
  },
  { additionalProperties: false },
);
export type ProgressBody = Static<typeof ProgressBody>;

// ---- results -----------------------------------------------------------------------------------

const Section = T.Record(T.String({ maxLength: 128 }), T.Unknown(), { maxProperties: 512 });

export const ResultBody = T.Object(
  {
    job_id: Id,
    node_id: Id,
    status: Literals(['completed', 'failed'] as const),
    attempt: T.Optional(T.Integer({ minimum: 1 })),
    completed_at: T.Optional(Time),
    error: T.Optional(T.Union([T.String({ maxLength: 65_536 }), T.Null()])),
    metrics: T.Optional(Section),
    power: T.Optional(T.Union([Section, T.Null()])),
    energy: T.Optional(T.Union([Section, T.Null()])),
    quality: T.Optional(T.Union([Section, T.Null()])),
    samples: T.Optional(T.Union([T.Array(T.Unknown(), { maxItems: 2000 }), T.Null()])),
    analyzer_output: T.Optional(T.Union([Section, T.Null()])),
  },
  // The reference agent's payload may carry fields we do not store; they are ignored.
  { additionalProperties: true },
);
export type ResultBody = Static<typeof ResultBody>;

export const ResultSchema = T.Object({
  job_id: Id,
  node_id: Id,
  attempt: T.Integer(),
  status: Literals(['completed', 'failed'] as const),
  completed_at: Time,
  received_at: Time,
  error: T.Union([T.String(), T.Null()]),
  metrics: Section,
  power: T.Union([Section, T.Null()]),
  energy: T.Union([Section, T.Null()]),
  quality: T.Union([Section, T.Null()]),
  samples: T.Union([T.Array(T.Unknown()), T.Null()]),
  analyzer_output: T.Union([Section, T.Null()]),
});
export type ResultJson = Static<typeof ResultSchema>;

export const ResultAckSchema = T.Object({ status: T.Literal('success'), duplicate: T.Boolean() });

export const ResultListSchema = T.Object({
  count: T.Integer(),
  results: T.Array(ResultSchema),
  next_cursor: T.Union([T.String(), T.Null()]),
});

// ---- runs --------------------------------------------------------------------------------------

const SCENARIO_KINDS = ['baseline', 'single', 'multi'] as const;
export const MAX_RUN_JOBS = 1000;

/** One job of a run: a job submission without run_id, plus how the runner made it. */
export const RunJobSpec = T.Object(
  {
    scenario: T.String({ minLength: 1, maxLength: 200 }),
    confidence: T.Optional(Literals(CONFIDENCES)),
    // Checked field by field by parseJobParameters (core/job-parameters.ts).
    parameters: T.Optional(T.Record(T.String(), T.Unknown())),
    priority: T.Optional(Literals(PRIORITIES)),
    max_retries: T.Optional(T.Integer({ minimum: 0, maximum: 20 })),
    target_node_id: T.Optional(T.Union([Id, T.Null()])),
    kind: T.Optional(Literals(SCENARIO_KINDS)),
    group: T.Optional(T.Union([T.String({ minLength: 1, maxLength: 200 }), T.Null()])),
    repetition: T.Optional(T.Union([T.Integer({ minimum: 1, maximum: 1000 }), T.Null()])),
  },
  { additionalProperties: false },
);
export type RunJobSpec = Static<typeof RunJobSpec>;

export const RunSubmissionBody = T.Object(
  {
    name: T.String({ minLength: 1, maxLength: 200 }),
    options: T.Optional(T.Record(T.String({ maxLength: 64 }), T.Unknown(), { maxProperties: 64 })),
    jobs: T.Array(RunJobSpec, { minItems: 1, maxItems: MAX_RUN_JOBS }),
  },
  { additionalProperties: false },
);
export type RunSubmissionBody = Static<typeof RunSubmissionBody>;

const RunEntrySchema = T.Object({
  job_id: Id,
  kind: Literals(SCENARIO_KINDS),
  group: T.Union([T.String(), T.Null()]),
  repetition: T.Union([T.Integer(), T.Null()]),
});

export const RunSchema = T.Object({
  id: Id,
  name: T.String(),
  status: Literals(RUN_STATUSES),
  created_at: Time,
  options: T.Record(T.String(), T.Unknown()),
  /** The run's jobs in submission order. */
  entries: T.Array(RunEntrySchema),
  job_counts: T.Record(T.String(), T.Integer()),
});
export type RunJson = Static<typeof RunSchema>;

export const RunListSchema = T.Object({
  count: T.Integer(),
  runs: T.Array(RunSchema),
  next_cursor: T.Union([T.String(), T.Null()]),
});
export type RunListJson = Static<typeof RunListSchema>;

/**
 * The reference runner's results JSON (`{test_date, scenarios}`, plus `repeats`), of the run's
 * finished jobs in run order; each scenario as core/run-stats.ts ScenarioRecord describes it.
 */
export const ResultsDocumentSchema = T.Object({
  test_date: Time,
  scenarios: T.Array(T.Record(T.String(), T.Unknown())),
  repeats: T.Optional(T.Array(T.Record(T.String(), T.Unknown()))),
});

const RankingEntrySchema = T.Object({
  rank: T.Integer(),
  name: T.String(),
  efficiency_score: T.Number(),
  efficiency_unit: T.String(),
});
const NullableNumber = T.Union([T.Number(), T.Null()]);

/**
 * core's analyzeRecords of the run's results (the figures of `ffrtmp analyze`, docs/analysis.md),
 * priced with the master's pricing region. Scenarios carry the analyzer's other fields too.
 */
export const RunAnalysisSchema = T.Object({
  algorithm: T.String(),
  baseline: T.Union([T.String(), T.Null()]),
  pricing: T.Union([T.Record(T.String(), T.Unknown()), T.Null()]),
  scenarios: T.Array(
    T.Object(
      {
        name: T.String(),
        efficiency_score: NullableNumber,
        efficiency_algorithm: T.String(),
        efficiency_unit: T.String(),
        efficiency_rank: T.Union([T.Integer(), T.Null()]),
        net: T.Union([T.Object({ power_w: NullableNumber, energy_wh: NullableNumber }), T.Null()]),
        cost: T.Union([T.Record(T.String(), T.Unknown()), T.Null()]),
      },
      { additionalProperties: true },
    ),
  ),
  ranking: T.Array(RankingEntrySchema),
  by_ladder: T.Record(T.String(), T.Array(RankingEntrySchema)),
  recommendation: T.Union([
    T.Object({
      name: T.String(),
      efficiency_score: T.Number(),
      efficiency_unit: T.String(),
      text: T.String(),
    }),
    T.Null(),
  ]),
  notes: T.Array(T.String()),
});

export const RunDetailSchema = T.Intersect([
  RunSchema,
  T.Object({ results: ResultsDocumentSchema, analysis: RunAnalysisSchema }),
]);
export type RunDetailJson = RunJson & { results: ResultsDocument; analysis: AnalysisReport };

// ---- queries -----------------------------------------------------------------------------------

const Limit = T.Optional(
  T.String({ pattern: '^[0-9]{1,4}$', description: 'page size, 1–1000 (default 100)' }),
);
const Cursor = T.Optional(T.String({ maxLength: 64, description: 'next_cursor of the previous page' }));

export const JobListQuery = T.Object(
  {
    status: T.Optional(Literals(JOB_STATUSES)),
    node_id: T.Optional(Id),
    run_id: T.Optional(Id),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);
export const NodeListQuery = T.Object(
  { status: T.Optional(Literals(NODE_STATUSES)), limit: Limit, cursor: Cursor },
  { additionalProperties: false },
);
export const ResultListQuery = T.Object(
  { job_id: T.Optional(Id), node_id: T.Optional(Id), run_id: T.Optional(Id), limit: Limit, cursor: Cursor },
  { additionalProperties: false },
);
export const RunListQuery = T.Object({ limit: Limit, cursor: Cursor }, { additionalProperties: false });
export const NextJobQuery = T.Object(
  {
    node_id: Id,
    wait: T.Optional(
      T.String({ pattern: '^[0-9]{1,3}(\\.[0-9]+)?$', description: 'long-poll seconds, 0–60' }),
    ),
  },
  { additionalProperties: false },
);

export const NoContent = T.Null({ description: 'no body' });

export type NodeListJson = Static<typeof NodeListSchema>;
export type JobListJson = Static<typeof JobListSchema>;
export type NextJobJson = Static<typeof NextJobSchema>;
export type ResultAckJson = Static<typeof ResultAckSchema>;
export type ResultListJson = Static<typeof ResultListSchema>;
export type HeartbeatJson = Static<typeof HeartbeatResponse>;
export type HeartbeatBodyJson = Static<typeof HeartbeatBody>;
export type HealthJson = Static<typeof HealthSchema>;
