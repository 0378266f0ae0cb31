import type pg from 'pg';
import type { JobsReadyListener } from '../port.js';

/**
 * LISTEN/NOTIFY between masters: every transaction that may make a job claimable (a submission, a
 * retry, a requeue, a finished or canceled job freeing capacity) runs `pg_notify` on this channel, and
 * PostgreSQL delivers it to every listening master on commit. The payload is empty (claimable now)
 * or the epoch ms at which the jobs become claimable (a retry backoff).
 */
export const JOBS_READY_CHANNEL = 'ffrtmp_jobs_ready';

export interface JobsReadyListenerHandle {
  subscribe(fn: JobsReadyListener): () => void;
  close(): Promise<void>;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * One dedicated connection (a pooled one would be handed to other queries), opened with the first
 * subscriber. When it drops it reconnects with backoff; each time LISTEN takes effect it tells every
 * subscriber "now", since notifications sent before then are lost and waiters must look again.
 */
export function createJobsReadyListener(connect: () => pg.Client): JobsReadyListenerHandle {
  const subscribers = new Set<JobsReadyListener>();
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = RETRY_MIN_MS;
  let closed = false;
  let connecting = false;
  let starting: Promise<void> | undefined;

  const emit = (at: number | undefined) => {
    for (const fn of [...subscribers]) fn(at);
  };

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      starting = start();
    }, delay);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  }

  async function start(): Promise<void> {
    if (closed || client || connecting) return;
    connecting = true;
    const c = connect();
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      scheduleRetry();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (msg) => {
      if (msg.channel !== JOBS_READY_CHANNEL) return;
      const at = msg.payload ? Number(msg.payload) : undefined;
      emit(at !== undefined && Number.isFinite(at) ? at : undefined);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${JOBS_READY_CHANNEL}`);
    } catch {
      connecting = false;
      c.end().catch(() => {});
      scheduleRetry();
      return;
    }
    connecting = false;
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    delay = RETRY_MIN_MS;
    // Whatever was notified before LISTEN took effect (or while the connection was down) is lost:
    // waiters look again now.
    emit(undefined);
  }

  return {
    subscribe(fn) {
      subscribers.add(fn);
      if (!client && !connecting && !retryTimer) starting = start();
      return () => {
        subscribers.delete(fn);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      subscribers.clear();
      await starting;
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}
