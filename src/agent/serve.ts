import { resolve } from 'node:path';
import { defaultEstimatorModel, parseEstimatorSpec } from '../core/energy/index.js';
import { type Sampler, createSampler } from '../power/sampler.js';
import { loadBaseline, measureBaseline, saveBaseline } from './baseline.js';
import { FfrtmpError } from '../core/errors.js';
import { parseMasterUrls } from '../core/failover.js';
import { type Agent, type AgentOptions, createAgent } from './create-agent.js';
import { isMasterOnThisHost, loadNodeKey } from './identity.js';
import { createAgentRegistry, serveMetrics } from './metrics.js';
import { type HardwareReport, probeHardware, toRegistration } from './probe.js';
import { openSpool } from './spool.js';
import { connectMasters } from './transport.js';

export const AGENT_VERSION = '0.1.0';

export interface StartAgentOptions extends Omit<AgentOptions, 'workDir' | 'mediaDir'> {
  /** One master URL, or several (comma-separated or a list) that requests fail over between. */
  master: string | readonly string[];
  apiKey?: string | undefined;
  allowMasterAsWorker: boolean;
  workDir: string;
  mediaDir: string;
  nvidiaSmi: string;
  address?: string | undefined;
  labels: Record<string, string>;
  metricsHost: string;
  /** 0: no metrics endpoint. */
  metricsPort: number;
  tlsCa?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** A probe already made (the CLI prints it first); probed here otherwise. */
  report?: HardwareReport;
  powercapRoot: string;
  procRoot: string;
  sampleIntervalMs: number;
  /** `tdp:65` or `linear:20:95`; a default from the CPU thread count when unset. */
  estimator?: string | undefined;
  /** Idle measurement at start (0: none); reused from the work dir while younger than baselineMaxAgeMs. */
  baselineDurationMs: number;
  baselineMaxAgeMs: number;
}

export interface RunningAgent {
  agent: Agent;
  sampler: Sampler;
  report: HardwareReport;
  metricsUrl: string | undefined;
  /** Drain (or force) and release everything. */
  stop(options?: { force?: boolean }): Promise<void>;
}

/** The agent's node layer: probe, identity, spool, transport, metrics port; then start the loops. */
export async function startAgent(o: StartAgentOptions): Promise<RunningAgent> {
  const report = o.report ?? (await probeHardware({ ffmpegPath: o.ffmpegPath, nvidiaSmi: o.nvidiaSmi }));
  if (report.encoders.length === 0) {
    throw new FfrtmpError(
      'E_INVALID_CONFIG',
      `no usable encoder found with "${o.ffmpegPath}": ${report.problems.join('; ')}`,
    );
  }
  const masters = parseMasterUrls(o.master);
  if (!o.allowMasterAsWorker) {
    for (const master of masters) {
      if (await isMasterOnThisHost(master)) {
        throw new FfrtmpError(
          'E_INVALID_CONFIG',
          `the master (${master}) runs on this host; its load would skew this node's measurements. ` +
            'Pass --allow-master-as-worker to run here anyway.',
        );
      }
    }
  }
  const workDir = resolve(o.workDir);
  const spool = openSpool(workDir);
  const estimator = o.estimator ? parseEstimatorSpec(o.estimator) : defaultEstimatorModel(report.cpuThreads);
  const sampler = createSampler({
    intervalMs: o.sampleIntervalMs,
    powercapRoot: o.powercapRoot,
    procRoot: o.procRoot,
    nvidiaSmi: report.gpus.length > 0 ? o.nvidiaSmi : null,
    estimator,
  });
  sampler.start();
  for (const p of sampler.problems) o.log('warn', `power: ${p}`);
  const packageSource = sampler.sources.includes('rapl') ? 'rapl' : sampler.estimatorSource;
  let baseline = loadBaseline(workDir, packageSource, o.baselineMaxAgeMs, Date.now());
  if (!baseline && o.baselineDurationMs > 0) {
    o.log(
      'info',
      `measuring the idle baseline for ${o.baselineDurationMs / 1000} s (the agent takes no job meanwhile)`,
    );
    baseline = await measureBaseline(sampler, o.baselineDurationMs);
    if (baseline) saveBaseline(workDir, baseline);
  }
  o.log('info', 'power measurement', {
    sources: sampler.sources,
    package_source: packageSource,
    idle_baseline_watts: baseline?.package_watts ?? null,
    sample_interval_ms: o.sampleIntervalMs,
  });
  const { client, transport } = connectMasters({
    masters,
    apiKey: o.apiKey,
    caFile: o.tlsCa,
    certFile: o.tlsCert,
    keyFile: o.tlsKey,
    connections: o.maxConcurrentJobs + 4,
    onSwitch: (from, to, reason) => o.log('warn', 'switched to another master', { from, to, reason }),
  });
  const agent = createAgent({
    client,
    spool,
    log: o.log,
    registration: toRegistration(report, {
      address: o.address ?? report.hostname,
      maxConcurrentJobs: o.maxConcurrentJobs,
      nodeKey: loadNodeKey(workDir),
      agentVersion: AGENT_VERSION,
      powerSources: sampler.sources,
      labels: o.labels,
    }),
    options: { ...o, workDir, mediaDir: resolve(o.mediaDir) },
    measurement: {
      sampler,
      baseline: () => baseline,
      setBaseline(b) {
        baseline = b;
        saveBaseline(workDir, b);
      },
    },
  });
  const metrics =
    o.metricsPort > 0
      ? await serveMetrics(createAgentRegistry(agent, spool, sampler), o.metricsHost, o.metricsPort)
      : undefined;
  const metricsUrl = metrics ? `http://${o.metricsHost}:${metrics.port()}/metrics` : undefined;
  o.log('info', 'agent starting', {
    masters,
    encoders: report.encoders,
    spooled_results: spool.size(),
    metrics: metricsUrl ?? 'off',
  });
  agent.start();
  return {
    agent,
    sampler,
    report,
    metricsUrl,
    async stop(stopOptions = {}) {
      await agent.stop(stopOptions);
      await metrics?.close();
      await sampler.stop();
      await transport.close();
    },
  };
}
