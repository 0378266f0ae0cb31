import { formatHardwareReport, probeHardware } from '../../agent/probe.js';
import { startAgent } from '../../agent/serve.js';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { connectionOptions } from '../client-options.js';
import { leaf } from '../command.js';
import { probeOptions } from '../probe-options.js';

export const agentOptions = defineOptions({
  ...connectionOptions,
  ...probeOptions,
  register: {
    flag: 'register',
    type: 'bool',
    default: false,
    description: 'Register with the master and take jobs (without it: print the detected hardware and exit)',
  },
  pollInterval: {
    flag: 'poll-interval',
    type: 'duration',
    default: 10_000,
    min: 0,
    max: 60_000,
    env: 'FFRTMP_POLL_INTERVAL',
    description: 'How long one long-poll for a job waits (a job starts the moment it is queued)',
  },
  heartbeatInterval: {
    flag: 'heartbeat-interval',
    type: 'duration',
    default: 30_000,
    min: 100,
    env: 'FFRTMP_HEARTBEAT_INTERVAL',
    description: 'Heartbeat period',
  },
  allowMasterAsWorker: {
    flag: 'allow-master-as-worker',
    type: 'bool',
    default: false,
    env: 'FFRTMP_ALLOW_MASTER_AS_WORKER',
    description: "Run even though the master is on this host (its load then skews this node's measurements)",
  },
  maxConcurrentJobs: {
    flag: 'max-concurrent-jobs',
    type: 'int',
    default: 1,
    min: 1,
    max: 64,
    env: 'FFRTMP_MAX_CONCURRENT_JOBS',
    description: 'Jobs run at once (1 gives clean energy figures)',
  },
  workDir: {
    flag: 'work-dir',
    type: 'string',
    default: './data/agent',
    env: 'FFRTMP_WORK_DIR',
    description: 'Node identity, result spool, scratch outputs',
  },
  mediaDir: {
    flag: 'media-dir',
    type: 'string',
    default: './media',
    env: 'FFRTMP_MEDIA_DIR',
    description: 'Input files that file-mode jobs may name',
  },
  metricsPort: {
    flag: 'metrics-port',
    type: 'int',
    default: 9500,
    min: 0,
    max: 65535,
    env: 'FFRTMP_METRICS_PORT',
    description: 'Prometheus /metrics port (0: off)',
  },
  metricsHost: {
    flag: 'metrics-host',
    type: 'string',
    default: '0.0.0.0',
    env: 'FFRTMP_METRICS_HOST',
    description: 'Address for the metrics endpoint',
  },
  rtmpUrl: {
    flag: 'rtmp-url',
    type: 'string',
    env: 'FFRTMP_RTMP_URL',
    description: 'RTMP base URL for live jobs, e.g. rtmp://127.0.0.1:1935/live (else the null muxer)',
  },
  address: {
    flag: 'address',
    type: 'string',
    env: 'FFRTMP_ADDRESS',
    description: 'Name this node registers with (default: host name)',
  },
  label: { flag: 'label', type: 'list', default: [], description: 'Node label key=value (repeatable)' },
  progressInterval: {
    flag: 'progress-interval',
    type: 'duration',
    default: 2000,
    min: 100,
    env: 'FFRTMP_PROGRESS_INTERVAL',
    description: 'How often a running job reports progress (renews its lease; a cancel is seen this fast)',
  },
  killGrace: {
    flag: 'kill-grace',
    type: 'duration',
    default: 5000,
    min: 0,
    description: 'SIGTERM → SIGKILL grace when stopping FFmpeg',
  },
  fileTimeout: {
    flag: 'file-timeout',
    type: 'duration',
    default: 7_200_000,
    min: 1000,
    description: 'Timeout of file-mode jobs without timeout_sec',
  },
  procRoot: {
    flag: 'proc-root',
    type: 'string',
    default: '/proc',
    env: 'FFRTMP_PROC_ROOT',
    description: 'Where process and host CPU times live',
  },
  sampleInterval: {
    flag: 'sample-interval',
    type: 'duration',
    default: 1000,
    min: 100,
    max: 60_000,
    env: 'FFRTMP_SAMPLE_INTERVAL',
    description: 'Power sampling period (100ms–60s)',
  },
  baselineDuration: {
    flag: 'baseline-duration',
    type: 'duration',
    default: 10_000,
    min: 0,
    max: 600_000,
    env: 'FFRTMP_BASELINE_DURATION',
    description: 'Idle measurement at start (0: none)',
  },
  baselineMaxAge: {
    flag: 'baseline-max-age',
    type: 'duration',
    default: 86_400_000,
    min: 0,
    env: 'FFRTMP_BASELINE_MAX_AGE',
    description: 'Reuse a cached idle baseline younger than this',
  },
});

function parseLabels(list: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new FfrtmpError('E_INVALID_CONFIG', `--label: expected key=value, got "${kv}"`);
    labels[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return labels;
}

export const agentCommand = leaf({
  name: 'agent',
  summary: 'Run a compute node: register, heartbeat, pull jobs, run FFmpeg, upload results',
  usage: 'ffrtmp agent [--register --master URL] [options]',
  options: agentOptions,
  async run(o, _positionals, io) {
    const labels = parseLabels(o.label);
    const report = await probeHardware({ ffmpegPath: o.ffmpeg, nvidiaSmi: o.nvidiaSmi });
    if (!o.register) {
      io.out(formatHardwareReport(report));
      io.out('\nRun with --register --master URL to join a master.');
      return 0;
    }
    const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
      io.err(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
    const running = await startAgent({
      report,
      log,
      master: o.master,
      apiKey: o.apiKey,
      allowMasterAsWorker: o.allowMasterAsWorker,
      workDir: o.workDir,
      mediaDir: o.mediaDir,
      nvidiaSmi: o.nvidiaSmi,
      address: o.address,
      labels,
      metricsHost: o.metricsHost,
      metricsPort: o.metricsPort,
      tlsCa: o.tlsCa,
      tlsCert: o.tlsCert,
      tlsKey: o.tlsKey,
      pollIntervalMs: o.pollInterval,
      heartbeatIntervalMs: o.heartbeatInterval,
      maxConcurrentJobs: o.maxConcurrentJobs,
      rtmpBaseUrl: o.rtmpUrl,
      ffmpegPath: o.ffmpeg,
      progressIntervalMs: o.progressInterval,
      graceMs: o.killGrace,
      defaultFileTimeoutMs: o.fileTimeout,
      powercapRoot: o.powercapRoot,
      procRoot: o.procRoot,
      sampleIntervalMs: o.sampleInterval,
      estimator: o.estimator,
      baselineDurationMs: o.baselineDuration,
      baselineMaxAgeMs: o.baselineMaxAge,
    });
    const { agent } = running;
    // First signal: drain (finish running jobs, upload). Second: force.
    await new Promise<void>((resolveSignal) =>
      io.signal.addEventListener('abort', () => resolveSignal(), { once: true }),
    );
    log('info', 'draining: no new jobs; running jobs finish (signal again to stop them now)', {
      running: agent.runningJobs().map((j) => j.id),
    });
    const onForce = () => void agent.stop({ force: true });
    io.force.addEventListener('abort', onForce, { once: true });
    await running.stop();
    io.force.removeEventListener('abort', onForce);
    log('info', 'agent stopped');
    return 0;
  },
});
