/**
 * The one error type of ffrtmp. Every failure a user or client can see carries a stable code from
 * this closed table; the HTTP status each code maps to lives beside it, so the API, the CLI and
 * docs/errors.md all read the same table.
 */
export const ERROR_CODES = {
  E_INVALID_PARAMETER: {
    status: 400,
    summary: 'A request field or job parameter is missing, malformed or out of range.',
  },
  E_INVALID_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  E_INVALID_CONFIG: { status: 400, summary: 'A flag, environment variable or config file value is invalid.' },
  E_UNAUTHORIZED: { status: 401, summary: 'No API key, or a wrong one, was presented.' },
  E_FORBIDDEN: {
    status: 403,
    summary: 'The key is valid but may not use this route (agent key on an admin route).',
  },
  E_NOT_FOUND: { status: 404, summary: 'No such route.' },
  E_JOB_NOT_FOUND: { status: 404, summary: 'No job with this id.' },
  E_NODE_NOT_FOUND: {
    status: 404,
    summary: 'No node with this id (a restarted master may have forgotten it: register again).',
  },
  E_RUN_NOT_FOUND: { status: 404, summary: 'No run with this id.' },
  E_RESULT_NOT_FOUND: { status: 404, summary: 'No result has been stored for this job yet.' },
  E_STALE_ATTEMPT: {
    status: 409,
    summary: 'The job has moved on to another attempt or another node; this report is fenced off.',
  },
  E_INVALID_TRANSITION: { status: 409, summary: 'The job is not in a state that allows this action.' },
  E_PAYLOAD_TOO_LARGE: { status: 413, summary: 'The request body is larger than the configured limit.' },
  E_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body must be application/json.' },
  E_UNAVAILABLE: { status: 503, summary: 'The master is shutting down or its store is unreachable; retry.' },
  E_STORE_UNAVAILABLE: {
    status: 503,
    summary:
      'The database (PostgreSQL) is unreachable or the connection dropped; nothing was half-applied: retry (the pool reconnects by itself).',
  },
  E_COPY_MISMATCH: {
    status: 500,
    summary:
      'ffrtmp db copy: after copying, the target does not hold as many records as the source (was the source written to meanwhile?).',
  },
  E_INTERNAL: {
    status: 500,
    summary: 'A bug. The response carries no internals; the master log has the stack.',
  },
  E_MASTER_UNREACHABLE: { status: 502, summary: 'The CLI or agent could not reach the master.' },
  E_CERTS: { status: 500, summary: 'Certificate or key files could not be read or written.' },
  E_INSUFFICIENT_DATA: {
    status: 422,
    summary: 'Too few usable measurements to train a model (see the message for what is needed).',
  },
  E_MODEL_NOT_FOUND: {
    status: 404,
    summary: 'No trained model for this hardware id: run `ffrtmp models train` first.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FfrtmpErrorOptions {
  cause?: unknown;
  /** Extra machine-readable context (e.g. the failing field). Sent to clients; never put secrets here. */
  details?: Record<string, unknown>;
}

export class FfrtmpError extends Error {
  override readonly name = 'FfrtmpError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: FfrtmpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isFfrtmpError(value: unknown): value is FfrtmpError {
  return value instanceof FfrtmpError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The one error body of the API: `{"error": {"code": "...", "message": "..."}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function toErrorBody(error: FfrtmpError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details) body.error.details = error.details;
  return body;
}

/** One problem with one input field, collected so that all problems can be reported at once. */
export interface FieldProblem {
  field: string;
  message: string;
}

export function invalid(problems: readonly FieldProblem[]): FfrtmpError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new FfrtmpError('E_INVALID_PARAMETER', message, { details: { problems } });
}
