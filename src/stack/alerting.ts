import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * vmalert and Alertmanager for `ffrtmp up`: generated configs under `<dataDir>/alerting`. The rules
 * are the reference's power alerts, written so packages are counted once (`zone=~"package.*"`).
 */

export const ALERTMANAGER_INSTALL_HINT = 'apt-get install prometheus-alertmanager';
export const VMALERT_INSTALL_HINT = 'apt-get install victoria-metrics (it ships vmalert)';

export function alertingPaths(dataDir: string) {
  const dir = join(dataDir, 'alerting');
  return {
    dir,
    rules: join(dir, 'rules.yml'),
    alertmanager: join(dir, 'alertmanager.yml'),
    storage: join(dir, 'alertmanager-data'),
  };
}

export function renderAlertRules(): string {
  const rule = (name: string, expr: string, forDuration: string, severity: string, summary: string) =>
    [
      `      - alert: ${name}`,
      `        expr: ${expr}`,
      `        for: ${forDuration}`,
      '        labels:',
      `          severity: ${severity}`,
      '        annotations:',
      `          summary: ${JSON.stringify(summary)}`,
    ].join('\n');
  return [
    'groups:',
    '  - name: ffrtmp-power',
    '    rules:',
    rule(
      'HighPackagePower',
      'sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 80',
      '2m',
      'warning',
      'CPU packages above 80 W for 2 minutes',
    ),
    rule(
      'CriticalPackagePower',
      'sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 120',
      '1m',
      'critical',
      'CPU packages above 120 W for 1 minute',
    ),
    rule('HighGpuPower', 'gpu_power_draw_watts > 200', '2m', 'warning', 'GPU above 200 W for 2 minutes'),
    rule('CriticalGpuPower', 'gpu_power_draw_watts > 300', '1m', 'critical', 'GPU above 300 W for 1 minute'),
    '',
  ].join('\n');
}

/** One route to one receiver; a webhook when given (else alerts are only listed in Alertmanager). */
export function renderAlertmanagerConfig(webhookUrl?: string): string {
  return [
    'route:',
    '  receiver: ffrtmp',
    '  group_by: [alertname, instance]',
    '  group_wait: 10s',
    '  group_interval: 1m',
    '  repeat_interval: 4h',
    'receivers:',
    '  - name: ffrtmp',
    ...(webhookUrl
      ? ['    webhook_configs:', `      - url: ${JSON.stringify(webhookUrl)}`, '        send_resolved: true']
      : []),
    '',
  ].join('\n');
}

export function writeAlertingConfigs(dataDir: string, webhookUrl?: string) {
  const p = alertingPaths(dataDir);
  mkdirSync(p.storage, { recursive: true });
  writeFileSync(p.rules, renderAlertRules());
  writeFileSync(p.alertmanager, renderAlertmanagerConfig(webhookUrl));
  return p;
}

export function alertmanagerArgs(dataDir: string, port: number): string[] {
  const p = alertingPaths(dataDir);
  return [
    `--config.file=${p.alertmanager}`,
    `--storage.path=${p.storage}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // A single Alertmanager: no gossip port to clash with anything.
    '--cluster.listen-address=',
  ];
}

export function vmalertArgs(
  dataDir: string,
  o: { port: number; datasourceUrl: string; notifierUrl?: string | undefined },
): string[] {
  return [
    `-rule=${alertingPaths(dataDir).rules}`,
    `-datasource.url=${o.datasourceUrl}`,
    `-httpListenAddr=127.0.0.1:${o.port}`,
    ...(o.notifierUrl ? [`-notifier.url=${o.notifierUrl}`] : ['-notifier.blackhole']),
  ];
}

export function findBinary(
  candidates: readonly string[],
  hint: string,
): { binary: string } | { missing: string } {
  const binary = candidates.find((c) => existsSync(c));
  return binary ? { binary } : { missing: `not found (${candidates.join(', ')}): ${hint}` };
}
