import { describe, expect, it } from 'vitest';
import {
  alertmanagerArgs,
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
    expect(rules).toContain('expr: gpu_power_draw_watts > 200');
    expect(rules).toContain('expr: gpu_power_draw_watts > 300');
    expect(rules).not.toMatch(/zone=~"\.\*"/);
  });

  it('Alertmanager routes to a webhook when given one', () => {
    expect(renderAlertmanagerConfig()).not.toContain('webhook_configs');
    expect(renderAlertmanagerConfig('http://127.0.0.1:5001/hook')).toContain(
      'webhook_configs:\n      - url: "http://127.0.0.1:5001/hook"',
    );
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
      '-notifier.url=http://127.0.0.1:9093',
    ]);
    expect(vmalertArgs('/d', { port: 8880, datasourceUrl: 'http://127.0.0.1:8428' })).toContain(
      '-notifier.blackhole',
    );
    expect(alertmanagerArgs('/d', 9093)).toContain('--cluster.listen-address=');
  });
});
