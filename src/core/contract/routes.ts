import type { TSchema } from '@sinclair/typebox';
import * as S from './schemas.js';

/**
 * Every route of the master API (DESIGN §4) with its access level and schemas. The master mounts
 * these, the OpenAPI document lists them, and the client calls them — one table for all three.
 *
 * access: `open` needs no key; `agent` accepts the agent key or the admin key; `admin` only the
 * admin key. With no keys configured every route is open.
 */
export type Access = 'open' | 'agent' | 'admin';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  access: Access;
  summary: string;
  body?: TSchema;
  query?: TSchema;
  /** Status code and schema of the success response. */
  response: { status: number; schema: TSchema };
}

export const ROUTES = {
  health: {
    method: 'GET',
    path: '/health',
    access: 'open',
    summary: 'Liveness',
    response: { status: 200, schema: S.HealthSchema },
  },
  registerNode: {
    method: 'POST',
    path: '/nodes/register',
    access: 'agent',
    summary: 'Register a node (idempotent by node_key)',
    body: S.NodeRegistrationBody,
    response: { status: 201, schema: S.NodeSchema },
  },
  listNodes: {
    method: 'GET',
    path: '/nodes',
    access: 'admin',
    summary: 'List nodes',
    query: S.NodeListQuery,
    response: { status: 200, schema: S.NodeListSchema },
  },
  getNode: {
    method: 'GET',
    path: '/nodes/:id',
    access: 'admin',
    summary: 'One node',
    response: { status: 200, schema: S.NodeSchema },
  },
  removeNode: {
    method: 'DELETE',
    path: '/nodes/:id',
    access: 'admin',
    summary: 'Remove a node; its active jobs are requeued',
    response: { status: 204, schema: S.NoContent },
  },
  heartbeat: {
    method: 'POST',
    path: '/nodes/:id/heartbeat',
    access: 'agent',
    summary: 'Heartbeat; renews the leases of the jobs the node holds',
    body: S.HeartbeatBody,
    response: { status: 200, schema: S.HeartbeatResponse },
  },
  submitJob: {
    method: 'POST',
    path: '/jobs',
    access: 'admin',
    summary: 'Submit a job',
    body: S.JobSubmissionBody,
    response: { status: 201, schema: S.JobSchema },
  },
  listJobs: {
    method: 'GET',
    path: '/jobs',
    access: 'admin',
    summary: 'List jobs',
    query: S.JobListQuery,
    response: { status: 200, schema: S.JobListSchema },
  },
  nextJob: {
    method: 'GET',
    path: '/jobs/next',
    access: 'agent',
    summary: 'Claim the next job for a node; wait=S long-polls',
    query: S.NextJobQuery,
    response: { status: 200, schema: S.NextJobSchema },
  },
  getJob: {
    method: 'GET',
    path: '/jobs/:id',
    access: 'admin',
    summary: 'One job',
    response: { status: 200, schema: S.JobSchema },
  },
  cancelJob: {
    method: 'POST',
    path: '/jobs/:id/cancel',
    access: 'admin',
    summary: 'Cancel a job',
    response: { status: 200, schema: S.JobSchema },
  },
  retryJob: {
    method: 'POST',
    path: '/jobs/:id/retry',
    access: 'admin',
    summary: 'Retry a failed or canceled job as a new attempt',
    response: { status: 200, schema: S.JobSchema },
  },
  reportProgress: {
    method: 'POST',
    path: '/jobs/:id/progress',
    access: 'agent',
    summary: 'Progress from the holder; renews the lease',
    body: S.ProgressBody,
    response: { status: 200, schema: S.JobSchema },
  },
  submitResult: {
    method: 'POST',
    path: '/results',
    access: 'agent',
    summary: 'Upload the result of an attempt (idempotent per attempt)',
    body: S.ResultBody,
    response: { status: 200, schema: S.ResultAckSchema },
  },
  listResults: {
    method: 'GET',
    path: '/results',
    access: 'admin',
    summary: 'List results (every attempt)',
    query: S.ResultListQuery,
    response: { status: 200, schema: S.ResultListSchema },
  },
  getResult: {
    method: 'GET',
    path: '/results/:id',
    access: 'admin',
    summary: 'Latest result of a job',
    response: { status: 200, schema: S.ResultSchema },
  },
  createRun: {
    method: 'POST',
    path: '/runs',
    access: 'admin',
    summary: 'Create a benchmark run and queue its jobs in order, atomically',
    body: S.RunSubmissionBody,
    response: { status: 201, schema: S.RunSchema },
  },
  listRuns: {
    method: 'GET',
    path: '/runs',
    access: 'admin',
    summary: 'List runs',
    query: S.RunListQuery,
    response: { status: 200, schema: S.RunListSchema },
  },
  getRun: {
    method: 'GET',
    path: '/runs/:id',
    access: 'admin',
    summary:
      'One run, with its results in the reference results-JSON shape and their analysis (efficiency score and rank, net values, cost, CO2)',
    response: { status: 200, schema: S.RunDetailSchema },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
