import { FfrtmpError } from '../../core/errors.js';

/**
 * What a failed query means for the caller. A lost or refused connection is the store being
 * unavailable (503, retry), never a corrupt result: the transaction was rolled back by the server,
 * or — when the connection dropped during COMMIT — its outcome is unknown and a retry meets the
 * fencing of the verbs (attempt numbers, duplicate results).
 */

// SQLSTATE classes and codes: 08 connection exception, 57P01-03 shutdown / cannot connect now,
// 53300 too many connections (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Connection ended',
];

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || NETWORK_CODES.has(code))
  )
    return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return DRIVER_MESSAGES.some((m) => error.message.includes(m));
}

/** Serialization failures and deadlocks: the transaction was rolled back whole and may simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40001' || code === '40P01';
}

export function toStoreError(error: unknown): unknown {
  if (error instanceof FfrtmpError) return error;
  if (isConnectionError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new FfrtmpError(
      'E_STORE_UNAVAILABLE',
      `the PostgreSQL store is unreachable (${reason}); the request was not applied or its outcome is unknown: retry`,
      { cause: error },
    );
  }
  return error;
}
