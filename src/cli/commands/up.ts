import { resolve } from 'node:path';
import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { type UpState, readUpState, startUp } from '../../stack/up.js';
import { leaf } from '../command.js';
import { startDetachedUp, stopUp, upLogPath } from '../detach.js';
import { loadMasterAnalysis, masterAnalysisOptions } from '../master-analysis-options.js';

const upOptions = defineOptions({
  port: {
    flag: 'port',
    type: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    env: 'FFRTMP_PORT',
    description: 'Master port',
  },
  dataDir: {
    flag: 'data-dir',
    type: 'string',
    default: './data',
    env: 'FFRTMP_DATA_DIR',
    description: 'Database, agent work dir, generated configs, logs',
  },
  stack: {
    flag: 'stack',
    type: 'bool',
    default: true,
    description: 'Start nginx-rtmp and VictoriaMetrics when installed (--no-stack: master and agent only)',
  },
  rtmpPort: {
    flag: 'rtmp-port',
    type: 'int',
    default: 1935,
    min: 1,
    max: 65535,
    description: 'nginx-rtmp RTMP port',
  },
  statPort: {
    flag: 'stat-port',
    type: 'int',
    default: 8081,
    min: 1,
    max: 65535,
    description: "nginx-rtmp /stat page port (not the master's 8080)",
  },
  vmPort: {
    flag: 'vm-port',
    type: 'int',
    default: 8428,
    min: 1,
    max: 65535,
    description: 'VictoriaMetrics port',
  },
  retention: {
    flag: 'retention',
    type: 'string',
    default: '30d',
    description: 'VictoriaMetrics retention (30d, 12w, 1y)',
  },
  alertmanagerPort: {
    flag: 'alertmanager-port',
    type: 'int',
    default: 9093,
    min: 1,
    max: 65535,
    description: 'Alertmanager port',
  },
  vmalertPort: {
    flag: 'vmalert-port',
    type: 'int',
    default: 8880,
    min: 1,
    max: 65535,
    description: 'vmalert port',
  },
  healthPort: {
    flag: 'health-port',
    type: 'int',
    default: 9600,
    min: 0,
    max: 65535,
    description: 'Exporter health checker: exporter_* /metrics and the Alertmanager webhook (POST /alerts)',
  },
  detach: {
    flag: 'detach',
    type: 'bool',
    default: false,
    description:
      'Start in the background (log in DATA_DIR/up.log) and return once ready; ffrtmp down stops it',
  },
  metricsPort: {
    flag: 'metrics-port',
    type: 'int',
    default: 9500,
    min: 0,
    max: 65535,
    description: "The local agent's /metrics port (0: off)",
  },
  ...masterAnalysisOptions,
});

export const upCommand = leaf({
  name: 'up',
  summary:
    'Standalone mode: master, local agent, nginx-rtmp, VictoriaMetrics, vmalert, Alertmanager (what is installed) until Ctrl-C',
  usage:
    'ffrtmp up [--port 8080] [--data-dir ./data] [--no-stack] [--detach] [--pricing FILE] [--region R] [--models-dir ./models]',
  options: upOptions,
  async run(o, _p, io) {
    const dataDir = resolve(o.dataDir);
    const running = readUpState(dataDir);
    if (running)
      throw new FfrtmpError(
        'E_INVALID_CONFIG',
        `ffrtmp up already runs for ${dataDir} (pid ${running.pid}, ${running.master_url}); stop it with: ffrtmp down --data-dir ${o.dataDir}`,
      );
    if (o.detach) {
      io.err(`starting ffrtmp up in the background (log: ${upLogPath(dataDir)})…`);
      const state = await startDetachedUp(dataDir, upArgs(o));
      io.out(
        `${formatState(state, [])}\n\nready: "ffrtmp test …" uses this master; stop everything with: ffrtmp down --data-dir ${o.dataDir}`,
      );
      return 0;
    }
    const up = await startUp({
      ...(await loadMasterAnalysis(o)),
      dataDir,
      port: o.port,
      stack: o.stack,
      rtmpPort: o.rtmpPort,
      statPort: o.statPort,
      vmPort: o.vmPort,
      retention: o.retention,
      agentMetricsPort: o.metricsPort,
      alertmanagerPort: o.alertmanagerPort,
      vmalertPort: o.vmalertPort,
      healthPort: o.healthPort,
      log: (level, msg) => {
        if (level !== 'info') io.err(`${level}: ${msg}`);
      },
    });
    io.out(
      `${formatState(up.state, up.missing)}\n\nready: run benchmarks with "ffrtmp test …" (they use this master); Ctrl-C stops everything.`,
    );
    await new Promise<void>((resolveSignal) => {
      if (io.signal.aborted) resolveSignal();
      io.signal.addEventListener('abort', () => resolveSignal(), { once: true });
    });
    io.err('stopping…');
    await up.stop();
    return 0;
  },
});

export const downCommand = leaf({
  name: 'down',
  summary: 'Stop the ffrtmp up running in the background for a data dir',
  usage: 'ffrtmp down [--data-dir ./data]',
  options: defineOptions({
    dataDir: {
      flag: 'data-dir',
      type: 'string',
      default: './data',
      env: 'FFRTMP_DATA_DIR',
      description: 'The data dir ffrtmp up was started with',
    },
  }),
  async run(o, _p, io) {
    const stopped = await stopUp(resolve(o.dataDir));
    io.out(
      stopped
        ? `stopped ffrtmp up (pid ${stopped.pid}, ${stopped.master_url})`
        : `no ffrtmp up runs for ${resolve(o.dataDir)}`,
    );
    return 0;
  },
});

function formatState(s: UpState, missing: readonly string[]): string {
  return [
    `master:          ${s.master_url}`,
    `dashboard:       ${s.master_url}/`,
    `agent metrics:   ${s.agent_metrics_url ?? 'off'}`,
    `RTMP:            ${s.rtmp_url ?? 'not running'}${s.stat_url ? `  (stat: ${s.stat_url})` : ''}`,
    `VictoriaMetrics: ${s.victoria_metrics_url ?? 'not running'}`,
    `vmalert:         ${s.vmalert_url ?? 'not running'}`,
    `Alertmanager:    ${s.alertmanager_url ?? 'not running'}${s.alertmanager_url && s.health_check_url ? `  (webhook: ${s.health_check_url}/alerts)` : ''}`,
    `health-check:    ${s.health_check_url ?? 'not running'}`,
    ...missing.map((m) => `missing:         ${m}`),
  ].join('\n');
}

/** The same options as flags again, for the background process (without --detach). */
export function upArgs(o: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const [key, spec] of Object.entries(upOptions)) {
    const value = o[key];
    if (key === 'detach' || key === 'dataDir' || value === undefined) continue;
    if (spec.type === 'bool') args.push(value ? `--${spec.flag}` : `--no-${spec.flag}`);
    else args.push(`--${spec.flag}`, String(value));
  }
  return args;
}
