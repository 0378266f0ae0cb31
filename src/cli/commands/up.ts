import { resolve } from 'node:path';
import { defineOptions } from '../../core/config.js';
import { startUp } from '../../stack/up.js';
import { leaf } from '../command.js';
import { loadMasterAnalysis, masterAnalysisOptions } from '../master-analysis-options.js';

export const upCommand = leaf({
  name: 'up',
  summary:
    'Standalone mode: master, local agent, nginx-rtmp, VictoriaMetrics, vmalert, Alertmanager (what is installed) until Ctrl-C',
  usage:
    'ffrtmp up [--port 8080] [--data-dir ./data] [--no-stack] [--pricing FILE] [--region R] [--models-dir ./models]',
  options: defineOptions({
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
    metricsPort: {
      flag: 'metrics-port',
      type: 'int',
      default: 9500,
      min: 0,
      max: 65535,
      description: "The local agent's /metrics port (0: off)",
    },
    ...masterAnalysisOptions,
  }),
  async run(o, _p, io) {
    const up = await startUp({
      ...(await loadMasterAnalysis(o)),
      dataDir: resolve(o.dataDir),
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
    const s = up.state;
    io.out(
      [
        `master:          ${s.master_url}`,
        `agent metrics:   ${s.agent_metrics_url ?? 'off'}`,
        `RTMP:            ${s.rtmp_url ?? 'not running'}${s.stat_url ? `  (stat: ${s.stat_url})` : ''}`,
        `VictoriaMetrics: ${s.victoria_metrics_url ?? 'not running'}`,
        `vmalert:         ${s.vmalert_url ?? 'not running'}`,
        `Alertmanager:    ${s.alertmanager_url ?? 'not running'}${s.alertmanager_url && s.health_check_url ? `  (webhook: ${s.health_check_url}/alerts)` : ''}`,
        `health-check:    ${s.health_check_url ?? 'not running'}`,
        ...up.missing.map((m) => `missing:         ${m}`),
        '',
        `ready: run benchmarks with "ffrtmp test …" (they use this master); Ctrl-C stops everything.`,
      ].join('\n'),
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
