import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Store, ReapReport } from '../store/port.js';
import { createAuthorizer, type Authorizer } from './auth.js';
import { mountDashboard } from './dashboard.js';
import { createMasterEvents, type MasterEvents } from './events.js';
import { installErrorHandling } from './http.js';
import { createMasterRegistry } from './metrics.js';
import type { ModelSet } from '../core/analysis/job-prediction.js';
import type { ResolvedPricing } from '../core/analysis/cost.js';
import { type ResultsMetricsOptions, loadDefaultPricing } from './results-metrics.js';
import { buildOpenApi } from './openapi.js';
import { createReaper, type Reaper } from './reaper.js';
import { mountJobRoutes } from './routes/jobs.js';
import { mountNodeRoutes } from './routes/nodes.js';
import { mountResultRoutes } from './routes/results.js';
import { mountRunRoutes } from './routes/runs.js';
import { createWaitList, type WaitList } from './wait-list.js';

export interface MasterOptions {
  /** A claimed job must be renewed (progress or heartbeat) within this, or it is retried. */
  leaseMs: number;
  /** A node without heartbeat for this long is offline; its jobs go back to the queue. */
  nodeTimeoutMs: number;
  /** Default max_retries of a submitted job. */
  maxRetries: number;
  apiKey?: string | undefined;
  agentKey?: string | undefined;
  bodyLimitBytes: number;
  reaperIntervalMs: number;
  /** Longest `wait=` a long-poll may ask for. */
  maxWaitMs: number;
}

export const DEFAULT_MASTER_OPTIONS: MasterOptions = {
  leaseMs: 90_000,
  nodeTimeoutMs: 60_000,
  maxRetries: 3,
  bodyLimitBytes: 1024 * 1024,
  reaperIntervalMs: 1000,
  maxWaitMs: 60_000,
};

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  ca?: string | Buffer | undefined;
}

export interface MasterDeps {
  store: Store;
  options?: Partial<MasterOptions>;
  clock?: () => number;
  random?: () => number;
  newId?: () => string;
  logger?: FastifyBaseLogger | boolean;
  tls?: TlsOptions;
  /**
   * Bound and pricing of the results metrics on /metrics; the pricing also prices run analyses
   * (`GET /runs/{id}`). Pricing undefined: the shipped config/pricing.json's default region.
   */
  resultsMetrics?: ResultsMetricsOptions;
  /** Trained models by hardware id (read from disk by the CLI): job predictions, predicted power. */
  models?: ModelSet;
}

/** What route modules get: everything they may touch, nothing global. */
export interface MasterContext {
  app: FastifyInstance;
  authorize: Authorizer;
  store: Store;
  options: MasterOptions;
  clock: () => number;
  newId: () => string;
  events: MasterEvents;
  waitList: WaitList;
  /** Prices for run analyses; null: no cost or CO2. */
  pricing: ResolvedPricing | null;
  models: ModelSet;
}

export interface Master {
  app: FastifyInstance;
  events: MasterEvents;
  options: MasterOptions;
  /** One reaper pass now (tests drive this with a fake clock). */
  reapNow(): Promise<ReapReport>;
  /** How many long-polls are parked right now. */
  waiting(): number;
  /** Starts the periodic reaper; `close()` stops it. */
  startReaper(): void;
  close(): Promise<void>;
}

export function createMaster(deps: MasterDeps): Master {
  const options: MasterOptions = { ...DEFAULT_MASTER_OPTIONS, ...deps.options };
  const clock = deps.clock ?? Date.now;
  const app = Fastify({
    ...(typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false }),
    // Per-request logs would cost more than the request itself at thousands per second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(deps.tls
      ? {
          https: {
            cert: deps.tls.cert,
            key: deps.tls.key,
            ...(deps.tls.ca ? { ca: deps.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
        }
      : {}),
  });
  const events = createMasterEvents();
  const waitList = createWaitList(clock);
  const pricing =
    deps.resultsMetrics?.pricing === undefined ? loadDefaultPricing() : deps.resultsMetrics.pricing;
  const models: ModelSet = deps.models ?? new Map();
  const ctx: MasterContext = {
    app: app as unknown as FastifyInstance,
    authorize: createAuthorizer({ apiKey: options.apiKey, agentKey: options.agentKey }),
    store: deps.store,
    options,
    clock,
    newId: deps.newId ?? randomUUID,
    events,
    waitList,
    pricing,
    models,
  };
  installErrorHandling(ctx.app);
  ctx.app.get('/health', async () => ({ status: 'healthy' }));
  ctx.app.get('/openapi.json', async () => buildOpenApi());
  // Open like /health: Prometheus-style scrapers carry no key, and the figures hold no secret.
  const registry = createMasterRegistry(deps.store, events, () => waitList.size, clock(), {
    ...deps.resultsMetrics,
    pricing,
    models,
  });
  ctx.app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  mountNodeRoutes(ctx);
  mountJobRoutes(ctx);
  mountResultRoutes(ctx);
  mountRunRoutes(ctx);
  mountDashboard(ctx);

  const reaper: Reaper = createReaper({
    store: deps.store,
    clock,
    random: deps.random ?? Math.random,
    options,
    events,
    waitList,
    log: ctx.app.log,
  });

  // Anything that may make a job claimable wakes the long-polls.
  events.on('job:submitted', () => waitList.notify());
  events.on('job:finished', () => waitList.notify());
  events.on('job:canceled', () => waitList.notify());
  events.on('node:removed', () => waitList.notify());
  // Several masters on one database: the store tells us what happened through the others.
  const unsubscribe = deps.store.onJobsReady?.((at) =>
    at === undefined ? waitList.notify() : waitList.notifyAt(at),
  );

  return {
    app: ctx.app,
    events,
    options,
    reapNow: () => reaper.runOnce(),
    waiting: () => waitList.size,
    startReaper: () => reaper.start(),
    async close() {
      reaper.stop();
      unsubscribe?.();
      waitList.close();
      await ctx.app.close();
    },
  };
}
