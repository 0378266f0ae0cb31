import { join } from 'node:path';
import { type RunningAgent, startAgent } from '../agent/serve.js';
import type { ModelSet } from '../core/analysis/job-prediction.js';
import type { ResultsMetricsOptions } from '../master/results-metrics.js';
import { type RunningMaster, startMaster } from '../master/serve.js';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  ffmpegPath?: string;
  estimator?: string | undefined;
  baselineDurationMs?: number;
  /** Live jobs publish here (nginx-rtmp); the null muxer without it. */
  rtmpUrl?: string | undefined;
  /** The agent's /metrics port (0: off). */
  agentMetricsPort?: number;
  /** The master's results-metrics bound and pricing, and its trained models. */
  resultsMetrics?: ResultsMetricsOptions;
  models?: ModelSet;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface Embedded {
  master: RunningMaster;
  agent: RunningAgent;
  stop(options?: { force?: boolean }): Promise<void>;
}

/**
 * Standalone mode: a master (SQLite under `dataDir`) and a local agent allowed to work on the
 * master's host, in this process — the same code paths as a fleet, on one box.
 */
export async function startEmbedded(o: EmbeddedOptions): Promise<Embedded> {
  const master = await startMaster({
    host: '127.0.0.1',
    port: o.port,
    dbPath: join(o.dataDir, 'ffrtmp.db'),
    logLevel: 'warn',
    logDestination: 'stderr',
    master: {},
    ...(o.resultsMetrics ? { resultsMetrics: o.resultsMetrics } : {}),
    ...(o.models ? { models: o.models } : {}),
  });
  try {
    const agent = await startAgent({
      master: master.url,
      allowMasterAsWorker: true,
      workDir: join(o.dataDir, 'agent'),
      mediaDir: join(o.dataDir, 'media'),
      nvidiaSmi: 'nvidia-smi',
      labels: { mode: 'standalone' },
      metricsHost: '127.0.0.1',
      metricsPort: o.agentMetricsPort ?? 0,
      rtmpBaseUrl: o.rtmpUrl,
      log: o.log,
      pollIntervalMs: 10_000,
      heartbeatIntervalMs: 5000,
      maxConcurrentJobs: 1,
      ffmpegPath: o.ffmpegPath ?? 'ffmpeg',
      progressIntervalMs: 1000,
      graceMs: 5000,
      defaultFileTimeoutMs: 7_200_000,
      powercapRoot: '/sys/class/powercap',
      procRoot: '/proc',
      sampleIntervalMs: 1000,
      estimator: o.estimator,
      baselineDurationMs: o.baselineDurationMs ?? 5000,
      baselineMaxAgeMs: 86_400_000,
    });
    return {
      master,
      agent,
      async stop(options = {}) {
        await agent.stop(options);
        await master.stop();
      },
    };
  } catch (error) {
    await master.stop();
    throw error;
  }
}
