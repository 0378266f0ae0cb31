import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  ALERTMANAGER_CONFIG_FILE,
  ALERT_RULES_FILE,
  alertmanagerArgs,
  listAlertRules,
  renderAlertRules,
  renderAlertmanagerConfig,
  vmalertArgs,
} from '../../src/stack/alerting.js';

describe('alerting configs for ffrtmp up', () => {
  it('power rules count packages once and use the reference thresholds', () => {
    const rules = renderAlertRules();
    expect(rules).toContain(
      'expr: sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 80\n        for: 2m',
    );
    expect(rules).toContain(
      'expr: sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 120\n        for: 1m',
    );
    expect(rules).toContain('expr: max by (instance, gpu) (gpu_power_draw_watts) > 200\n        for: 2m');
    expect(rules).toContain('expr: max by (instance, gpu) (gpu_power_draw_watts) > 300\n        for: 1m');
    expect(rules).not.toMatch(/zone=~"\.\*"/);
    // The file ffrtmp up writes is deploy/'s, unchanged without overrides.
    expect(rules).toBe(readFileSync(ALERT_RULES_FILE, 'utf8'));
  });

  it('lists every rule with its one-line expr; overrides change only the named rule', () => {
    const rules = listAlertRules(renderAlertRules());
    expect(rules.map((r) => r.alert)).toEqual([
      'HighPackagePower',
      'CriticalPackagePower',
      'HighGpuPower',
      'CriticalGpuPower',
      'NodeOffline',
      'QueueStuck',
      'HighJobFailureRate',
      'ExporterDown',
      'ScrapeTargetDown',
      'MeasurementIncomplete',
      'EstimatedOnlyFleet',
    ]);
    for (const r of rules) expect(r.expr, r.alert).toMatch(/(==|!=|>=|<=|>|<) -?[\d.]+$/);
    const forced = listAlertRules(renderAlertRules({ HighPackagePower: { threshold: 1, for: '0s' } }));
    expect(forced[0]).toEqual({
      group: 'ffrtmp-power',
      alert: 'HighPackagePower',
      expr: 'sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 1',
      for: '0s',
    });
    expect(forced.slice(1)).toEqual(rules.slice(1));
    expect(() => renderAlertRules({ NoSuchAlert: { threshold: 1 } })).toThrow(/no rule named NoSuchAlert/);
  });

  it("Alertmanager's config is deploy/'s with the webhook pointed where ffrtmp up receives alerts", () => {
    const config = renderAlertmanagerConfig('http://127.0.0.1:5001/alerts');
    expect(config).toContain('webhook_configs:\n      - url: "http://127.0.0.1:5001/alerts"');
    expect(config).not.toContain('health-check:9600');
    expect(config).toBe(
      readFileSync(ALERTMANAGER_CONFIG_FILE, 'utf8').replace(
        '"http://health-check:9600/alerts"',
        '"http://127.0.0.1:5001/alerts"',
      ),
    );
    expect(renderAlertmanagerConfig('http://x/alerts', { groupWait: '1s' })).toContain('group_wait: 1s');
  });

  it('vmalert sends to Alertmanager when it runs, else to nowhere; Alertmanager runs without gossip', () => {
    expect(
      vmalertArgs('/d', {
        port: 8880,
        datasourceUrl: 'http://127.0.0.1:8428',
        notifierUrl: 'http://127.0.0.1:9093',
      }),
    ).toEqual([
      '-rule=/d/alerting/rules.yml',
      '-datasource.url=http://127.0.0.1:8428',
      '-httpListenAddr=127.0.0.1:8880',
      '-evaluationInterval=15s',
      '-notifier.url=http://127.0.0.1:9093',
    ]);
    expect(vmalertArgs('/d', { port: 8880, datasourceUrl: 'http://127.0.0.1:8428' })).toContain(
      '-notifier.blackhole',
    );
    expect(alertmanagerArgs('/d', 9093)).toContain('--cluster.listen-address=');
  });
});
