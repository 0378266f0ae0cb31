/**
 * Long-poll wake-ups. A `GET /jobs/next?wait=S` that found nothing parks here; anything that may
 * have made a job claimable (a submission, a retry, a requeue, a finished job freeing capacity)
 * calls `notify()`, and every parked poller tries to claim again. Timers are owned: `close()`
 * releases every poller and cancels the scheduled wake-up.
 */
export interface WaitList {
  /** Resolves on the next notify(), after `timeoutMs`, or when `signal` aborts — whichever comes first. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  notify(): void;
  /** Schedules a notify() at `atMs` (epoch ms, by `clock`) — for jobs whose retry backoff ends then. */
  notifyAt(atMs: number): void;
  readonly size: number;
  /** True once close() ran: parked pollers answer at once. */
  readonly closed: boolean;
  close(): void;
}

export function createWaitList(clock: () => number): WaitList {
  const parked = new Set<() => void>();
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Number.POSITIVE_INFINITY;
  let closed = false;

  const notify = () => {
    const all = [...parked];
    parked.clear();
    for (const release of all) release();
  };

  return {
    wait(timeoutMs, signal) {
      if (closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', release);
          parked.delete(release);
          resolve();
        };
        const timer = setTimeout(release, timeoutMs);
        signal?.addEventListener('abort', release, { once: true });
        parked.add(release);
      });
    },
    notify,
    notifyAt(atMs) {
      if (closed || atMs >= wakeAt) return;
      clearTimeout(wakeTimer);
      wakeAt = atMs;
      wakeTimer = setTimeout(
        () => {
          wakeAt = Number.POSITIVE_INFINITY;
          notify();
        },
        Math.max(0, atMs - clock()),
      );
    },
    get size() {
      return parked.size;
    },
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      clearTimeout(wakeTimer);
      notify();
    },
  };
}
