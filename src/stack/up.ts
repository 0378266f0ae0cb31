import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSet } from '../core/analysis/job-prediction.js';
import type { ResultsMetricsOptions } from '../master/results-metrics.js';
import { type Embedded, startEmbedded } from '../runner/embedded.js';
import {
  ALERTMANAGER_INSTALL_HINT,
  VMALERT_INSTALL_HINT,
  alertmanagerArgs,
  findBinary,
  vmalertArgs,
  writeAlertingConfigs,
} from './alerting.js';
import { type HealthChecker, startHealthChecker } from './health-check.js';
import { httpHealth } from './http-get.js';
import { findNginx, nginxArgs, writeNginxConfig } from './nginx-rtmp.js';
import { type Component, startComponent } from './supervisor.js';
import { findVictoriaMetrics, victoriaMetricsArgs, writeScrapeConfig } from './victoria-metrics.js';

/**
 * `ffrtmp up`: standalone mode with every installed component (DESIGN §1, §9) — master and a local
 * agent in this process, nginx-rtmp and VictoriaMetrics as owned children with generated configs
 * under the data dir, each health-checked and logged to a file. A missing component is reported
 * with how to install it, never fatal.
 */
export interface UpOptions {
  dataDir: string;
  port: number;
  stack: boolean;
  rtmpPort: number;
  statPort: number;
  vmPort: number;
  retention: string;
  agentMetricsPort: number;
  alertmanagerPort: number;
  vmalertPort: number;
  /** `ffrtmp health-check` in this process: exporter_* metrics and the Alertmanager webhook. */
  healthPort: number;
  /** The embedded master's results-metrics bound and pricing, and its trained models. */
  resultsMetrics?: ResultsMetricsOptions;
  models?: ModelSet;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

export interface UpState {
  pid: number;
  master_url: string;
  rtmp_url: string | null;
  stat_url: string | null;
  victoria_metrics_url: string | null;
  alertmanager_url: string | null;
  vmalert_url: string | null;
  agent_metrics_url: string | null;
  health_check_url: string | null;
  started_at: string;
}

export interface Up {
  state: UpState;
  missing: string[];
  stop(): Promise<void>;
}

const STATE_FILE = 'up.json';

/** The running `ffrtmp up` of this data dir, if its process is alive. */
export function readUpState(dataDir: string): UpState | undefined {
  const path = join(dataDir, STATE_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as UpState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined; // stale: its process is gone
  }
}

export async function startUp(o: UpOptions): Promise<Up> {
  mkdirSync(o.dataDir, { recursive: true });
  const components: Component[] = [];
  const missing: string[] = [];
  let embedded: Embedded | undefined;
  let health: HealthChecker | undefined;
  const stopAll = async () => {
    await health?.stop();
    await embedded?.stop({ force: true });
    for (const c of components.reverse()) await c.stop();
    rmSync(join(o.dataDir, STATE_FILE), { force: true });
  };
  try {
    let rtmpUrl: string | undefined;
    let statUrl: string | undefined;
    if (o.stack) {
      const nginx = findNginx();
      if ('missing' in nginx)
        missing.push(`nginx-rtmp: ${nginx.missing} (live jobs use the null muxer meanwhile)`);
      else {
        writeNginxConfig({
          dataDir: o.dataDir,
          rtmpPort: o.rtmpPort,
          statPort: o.statPort,
          modulePath: nginx.modulePath,
        });
        components.push(
          await startComponent({
            name: 'nginx-rtmp',
            command: nginx.binary,
            args: nginxArgs(o.dataDir),
            logFile: join(o.dataDir, 'logs', 'nginx.log'),
            health: httpHealth(`http://127.0.0.1:${o.statPort}/health`),
            startTimeoutMs: 10_000,
          }),
        );
        rtmpUrl = `rtmp://127.0.0.1:${o.rtmpPort}/live`;
        statUrl = `http://127.0.0.1:${o.statPort}/stat`;
      }
    }
    embedded = await startEmbedded({
      dataDir: o.dataDir,
      port: o.port,
      rtmpUrl,
      agentMetricsPort: o.agentMetricsPort,
      ...(o.resultsMetrics ? { resultsMetrics: o.resultsMetrics } : {}),
      ...(o.models ? { models: o.models } : {}),
      log: o.log,
    });
    const agentMetrics = embedded.agent.metricsUrl;
    if (o.stack) {
      health = await startHealthChecker({
        targets: [
          { name: 'master', url: `${embedded.master.url}/metrics`, kind: 'master' },
          ...(agentMetrics ? [{ name: 'agent', url: agentMetrics, kind: 'agent' as const }] : []),
        ],
        intervalMs: 15_000,
        host: '127.0.0.1',
        port: o.healthPort,
        log: (level, msg, fields) => o.log(level, `health-check: ${msg}`, fields),
      });
    }
    let vmUrl: string | undefined;
    if (o.stack) {
      const vm = findVictoriaMetrics();
      if ('missing' in vm) missing.push(`VictoriaMetrics: ${vm.missing}`);
      else {
        const agentTarget = agentMetrics ? new URL(agentMetrics).host : undefined;
        writeScrapeConfig(
          o.dataDir,
          [
            { job: 'ffrtmp-master', targets: [new URL(embedded.master.url).host] },
            ...(agentTarget ? [{ job: 'ffrtmp-agent', targets: [agentTarget] }] : []),
            ...(health ? [{ job: 'ffrtmp-health', targets: [new URL(health.url).host] }] : []),
          ],
          5,
        );
        components.push(
          await startComponent({
            name: 'victoria-metrics',
            command: vm.binary,
            args: victoriaMetricsArgs({
              dataDir: o.dataDir,
              listenAddr: `127.0.0.1:${o.vmPort}`,
              retention: o.retention,
            }),
            logFile: join(o.dataDir, 'logs', 'victoria-metrics.log'),
            health: httpHealth(`http://127.0.0.1:${o.vmPort}/health`),
            startTimeoutMs: 20_000,
          }),
        );
        vmUrl = `http://127.0.0.1:${o.vmPort}`;
      }
    }
    let amUrl: string | undefined;
    let vmalertUrl: string | undefined;
    if (o.stack && health) {
      writeAlertingConfigs(o.dataDir, `${health.url}/alerts`);
      const am = findBinary(
        ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'],
        ALERTMANAGER_INSTALL_HINT,
      );
      if ('missing' in am) missing.push(`Alertmanager: ${am.missing}`);
      else {
        components.push(
          await startComponent({
            name: 'alertmanager',
            command: am.binary,
            args: alertmanagerArgs(o.dataDir, o.alertmanagerPort),
            logFile: join(o.dataDir, 'logs', 'alertmanager.log'),
            health: httpHealth(`http://127.0.0.1:${o.alertmanagerPort}/-/healthy`),
            startTimeoutMs: 20_000,
          }),
        );
        amUrl = `http://127.0.0.1:${o.alertmanagerPort}`;
      }
      const vmalert = findBinary(['/usr/bin/vmalert', '/usr/bin/vmalert-prod'], VMALERT_INSTALL_HINT);
      if ('missing' in vmalert) missing.push(`vmalert: ${vmalert.missing}`);
      else if (!vmUrl) missing.push('vmalert: needs VictoriaMetrics (not running)');
      else {
        components.push(
          await startComponent({
            name: 'vmalert',
            command: vmalert.binary,
            args: vmalertArgs(o.dataDir, { port: o.vmalertPort, datasourceUrl: vmUrl, notifierUrl: amUrl }),
            logFile: join(o.dataDir, 'logs', 'vmalert.log'),
            health: httpHealth(`http://127.0.0.1:${o.vmalertPort}/health`),
            startTimeoutMs: 20_000,
          }),
        );
        vmalertUrl = `http://127.0.0.1:${o.vmalertPort}`;
      }
    }
    const state: UpState = {
      pid: process.pid,
      master_url: embedded.master.url,
      rtmp_url: rtmpUrl ?? null,
      stat_url: statUrl ?? null,
      victoria_metrics_url: vmUrl ?? null,
      alertmanager_url: amUrl ?? null,
      vmalert_url: vmalertUrl ?? null,
      agent_metrics_url: agentMetrics ?? null,
      health_check_url: health?.url ?? null,
      started_at: new Date().toISOString(),
    };
    writeFileSync(join(o.dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    return { state, missing, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
