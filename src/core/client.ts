import type {
  HealthJson,
  HeartbeatJson,
  JobJson,
  JobListJson,
  JobSubmissionBody,
  NextJobJson,
  NodeJson,
  NodeListJson,
  NodeRegistrationBody,
  ProgressBody,
  ResultAckJson,
  ResultBody,
  ResultJson,
  ResultListJson,
  RunDetailJson,
  RunJson,
  RunListJson,
  RunSubmissionBody,
} from './contract/schemas.js';
import { FfrtmpError, isErrorCode } from './errors.js';

/**
 * The one typed client of the master API, used by the agent and the CLI. The transport (`fetch`)
 * is passed in, so this module does no I/O of its own: the caller decides TLS, keep-alive and
 * timeouts. Errors come back as FfrtmpError with the master's code, or E_MASTER_UNREACHABLE.
 */

/** What the client needs of an HTTP response; the global `fetch` satisfies it, and so does the agent's transport. */
export interface ResponseLike {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export interface RequestLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export type FetchLike = (url: string, init: RequestLike) => Promise<ResponseLike>;

export interface ClientOptions {
  baseUrl: string;
  fetch: FetchLike;
  apiKey?: string | undefined;
}

export interface ListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface MasterClient {
  readonly baseUrl: string;
  health(): Promise<HealthJson>;
  registerNode(body: NodeRegistrationBody): Promise<NodeJson>;
  /** `jobIds`: the jobs this agent still has; only their leases are renewed (absent: all). */
  heartbeat(nodeId: string, jobIds?: readonly string[]): Promise<HeartbeatJson>;
  listNodes(query?: ListQuery & { status?: string | undefined }): Promise<NodeListJson>;
  getNode(nodeId: string): Promise<NodeJson>;
  removeNode(nodeId: string): Promise<void>;
  submitJob(body: JobSubmissionBody): Promise<JobJson>;
  listJobs(
    query?: ListQuery & {
      status?: string | undefined;
      node_id?: string | undefined;
      run_id?: string | undefined;
    },
  ): Promise<JobListJson>;
  nextJob(nodeId: string, waitSec?: number, signal?: AbortSignal): Promise<NextJobJson>;
  getJob(jobId: string): Promise<JobJson>;
  cancelJob(jobId: string): Promise<JobJson>;
  retryJob(jobId: string): Promise<JobJson>;
  reportProgress(jobId: string, body: ProgressBody): Promise<JobJson>;
  submitResult(body: ResultBody): Promise<ResultAckJson>;
  listResults(
    query?: ListQuery & {
      job_id?: string | undefined;
      node_id?: string | undefined;
      run_id?: string | undefined;
    },
  ): Promise<ResultListJson>;
  getResult(jobId: string): Promise<ResultJson>;
  /** Creates a run and queues its jobs in order (all or none). */
  createRun(body: RunSubmissionBody): Promise<RunJson>;
  listRuns(query?: ListQuery): Promise<RunListJson>;
  /** The run plus `results`: the reference results JSON of its finished jobs. */
  getRun(runId: string): Promise<RunDetailJson>;
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The errno-style code (ECONNREFUSED, ENOTFOUND, CERT_…) somewhere in a fetch error's cause chain. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET') return e.code;
  return networkCode(e.cause, depth + 1) ?? e.errors?.map((x) => networkCode(x, depth + 1)).find(Boolean);
}

export function createMasterClient(options: ClientOptions): MasterClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const init: RequestLike = {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    let response: ResponseLike;
    try {
      response = await options.fetch(`${baseUrl}${path}`, init);
    } catch (cause) {
      if ((cause as Error).name === 'AbortError') throw cause;
      const inner = (cause as { cause?: { message?: unknown } }).cause?.message;
      const reason = networkCode(cause) ?? (typeof inner === 'string' ? inner : (cause as Error).message);
      throw new FfrtmpError('E_MASTER_UNREACHABLE', `cannot reach the master at ${baseUrl} (${reason})`, {
        cause,
      });
    }
    const text = await response.text();
    if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
    let code: unknown;
    let message = `${method} ${path} answered HTTP ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      code = parsed.error?.code;
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // Not our error shape (a proxy's page, say): keep the status line.
    }
    throw new FfrtmpError(
      isErrorCode(code) ? code : response.status >= 500 ? 'E_UNAVAILABLE' : 'E_INVALID_PARAMETER',
      message,
      {
        details: { http_status: response.status },
      },
    );
  }

  const id = encodeURIComponent;
  return {
    baseUrl,
    health: () => call('GET', '/health'),
    registerNode: (body) => call('POST', '/nodes/register', body),
    heartbeat: (nodeId, jobIds) =>
      call('POST', `/nodes/${id(nodeId)}/heartbeat`, jobIds === undefined ? {} : { job_ids: [...jobIds] }),
    listNodes: (query) => call('GET', `/nodes${queryString(query)}`),
    getNode: (nodeId) => call('GET', `/nodes/${id(nodeId)}`),
    removeNode: (nodeId) => call('DELETE', `/nodes/${id(nodeId)}`),
    submitJob: (body) => call('POST', '/jobs', body),
    listJobs: (query) => call('GET', `/jobs${queryString(query)}`),
    nextJob: (nodeId, waitSec, signal) =>
      call('GET', `/jobs/next${queryString({ node_id: nodeId, wait: waitSec })}`, undefined, signal),
    getJob: (jobId) => call('GET', `/jobs/${id(jobId)}`),
    cancelJob: (jobId) => call('POST', `/jobs/${id(jobId)}/cancel`),
    retryJob: (jobId) => call('POST', `/jobs/${id(jobId)}/retry`),
    reportProgress: (jobId, body) => call('POST', `/jobs/${id(jobId)}/progress`, body),
    submitResult: (body) => call('POST', '/results', body),
    listResults: (query) => call('GET', `/results${queryString(query)}`),
    getResult: (jobId) => call('GET', `/results/${id(jobId)}`),
    createRun: (body) => call('POST', '/runs', body),
    listRuns: (query) => call('GET', `/runs${queryString(query)}`),
    getRun: (runId) => call('GET', `/runs/${id(runId)}`),
  };
}
