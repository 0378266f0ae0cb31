import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * vmalert and Alertmanager for `ffrtmp up`: configs under `<dataDir>/alerting`. The rules are
 * deploy/vmalert/alerts.yml (the reference's power alerts with packages counted once, plus fleet,
 * exporter and measurement alerts), copied with optional overrides.
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

/** deploy/ of this package (the same two levels up from src/stack and dist/stack). */
export const DEPLOY_DIR = join(import.meta.dirname, '..', '..', 'deploy');
/** The one copy of the alert rules: `ffrtmp up`, docker-compose and the tests all read it. */
export const ALERT_RULES_FILE = join(DEPLOY_DIR, 'vmalert', 'alerts.yml');

export interface AlertRule {
  group: string;
  alert: string;
  expr: string;
  for: string;
}

/**
 * The rules of a vmalert file written as deploy/vmalert/alerts.yml is (one-line `expr:` and `for:`
 * under each `- alert:`); enough to list and override them without a YAML library.
 */
export function listAlertRules(text: string): AlertRule[] {
  const rules: AlertRule[] = [];
  let group = '';
  let current: AlertRule | undefined;
  for (const line of text.split('\n')) {
    const g = /^\s*- name:\s*(\S+)/.exec(line);
    if (g?.[1]) group = g[1];
    const a = /^\s*- alert:\s*(\S+)/.exec(line);
    if (a?.[1]) {
      current = { group, alert: a[1], expr: '', for: '0s' };
      rules.push(current);
    }
    const e = /^\s+expr:\s*(.+)$/.exec(line);
    if (e?.[1] && current) current.expr = e[1].trim();
    const f = /^\s+for:\s*(\S+)/.exec(line);
    if (f?.[1] && current) current.for = f[1];
  }
  return rules;
}

/** Test and tuning overrides of a rule: the threshold after its final comparison, its `for`. */
export interface AlertOverride {
  threshold?: number;
  for?: string;
}

/**
 * The rules file with overrides applied (e.g. a test forcing HighPackagePower to fire at 1 W with
 * `for: 0s`). Fails on an override of an unknown alert, so a renamed rule cannot silently escape.
 */
export function renderAlertRules(
  overrides: Readonly<Record<string, AlertOverride>> = {},
  text = readFileSync(ALERT_RULES_FILE, 'utf8'),
): string {
  const known = new Set(listAlertRules(text).map((r) => r.alert));
  for (const name of Object.keys(overrides))
    if (!known.has(name)) throw new Error(`alert override: no rule named ${name} in the rules file`);
  let current: AlertOverride | undefined;
  return text
    .split('\n')
    .map((line) => {
      const a = /^\s*- alert:\s*(\S+)/.exec(line);
      if (a?.[1]) current = overrides[a[1]];
      if (!current) return line;
      if (current.threshold !== undefined && /^\s+expr:/.test(line)) {
        const replaced = line.replace(/(==|!=|>=|<=|>|<)\s*-?[\d.]+\s*$/, `$1 ${current.threshold}`);
        if (replaced === line) throw new Error(`alert override: no final threshold in "${line.trim()}"`);
        return replaced;
      }
      if (current.for !== undefined && /^\s+for:/.test(line))
        return line.replace(/for:.*/, `for: ${current.for}`);
      return line;
    })
    .join('\n');
}

export const ALERTMANAGER_CONFIG_FILE = join(DEPLOY_DIR, 'alertmanager', 'alertmanager.yml');

export interface AlertmanagerConfigOptions {
  /** How long Alertmanager gathers a new group before notifying (deploy/'s: 10s). */
  groupWait?: string;
}

/** deploy/alertmanager/alertmanager.yml with its webhook pointed at `webhookUrl`. */
export function renderAlertmanagerConfig(
  webhookUrl: string,
  o: AlertmanagerConfigOptions = {},
  text = readFileSync(ALERTMANAGER_CONFIG_FILE, 'utf8'),
): string {
  const out = text.replace(/(webhook_configs:\s*\n\s*- url: )"[^"]*"/, `$1${JSON.stringify(webhookUrl)}`);
  if (out === text && !text.includes(JSON.stringify(webhookUrl)))
    throw new Error(`${ALERTMANAGER_CONFIG_FILE}: expected a webhook_configs url to point at ${webhookUrl}`);
  return o.groupWait ? out.replace(/group_wait: \S+/, `group_wait: ${o.groupWait}`) : out;
}

export function writeAlertingConfigs(
  dataDir: string,
  webhookUrl: string,
  overrides: Readonly<Record<string, AlertOverride>> = {},
  alertmanager: AlertmanagerConfigOptions = {},
) {
  const p = alertingPaths(dataDir);
  mkdirSync(p.storage, { recursive: true });
  writeFileSync(p.rules, renderAlertRules(overrides));
  writeFileSync(p.alertmanager, renderAlertmanagerConfig(webhookUrl, alertmanager));
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
  o: {
    port: number;
    datasourceUrl: string;
    notifierUrl?: string | undefined;
    /** How often rules are evaluated (vmalert's default is 1m); default 15s. */
    evaluationInterval?: string;
  },
): string[] {
  return [
    `-rule=${alertingPaths(dataDir).rules}`,
    `-datasource.url=${o.datasourceUrl}`,
    `-httpListenAddr=127.0.0.1:${o.port}`,
    `-evaluationInterval=${o.evaluationInterval ?? '15s'}`,
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
