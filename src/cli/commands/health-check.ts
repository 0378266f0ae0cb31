import { defineOptions } from '../../core/config.js';
import { FfrtmpError } from '../../core/errors.js';
import { parseTargets } from '../../core/exporter-health.js';
import { checkTargets, startHealthChecker } from '../../stack/health-check.js';
import { formatTable } from '../client-options.js';
import { leaf } from '../command.js';

export const healthCheckCommand = leaf({
  name: 'health-check',
  summary: 'Check every scrape target (reachable, has samples, expected metrics); serve exporter_* metrics',
  usage: 'ffrtmp health-check [--targets name=url,…] [--interval 30s --port 9600] [--json]',
  description: [
    'Scrapes each target and judges it: it answers 200, its body is valid Prometheus text with samples,',
    'and the metrics of its kind are there (a name starting with master, agent or health picks the kind;',
    'any other name only needs samples). Without --interval: one check, a table, exit 1 if any target is',
    'unhealthy. With --interval: checks forever and serves exporter_health_status{exporter},',
    'exporter_reachable, exporter_metric_count and exporter_sample_count on /metrics, and receives',
    'Alertmanager webhooks on POST /alerts (logged).',
  ].join('\n'),
  options: defineOptions({
    targets: {
      flag: 'targets',
      type: 'string',
      default: 'master=http://localhost:8080/metrics,agent=http://localhost:9500/metrics',
      env: 'FFRTMP_HEALTH_TARGETS',
      description: 'Scrape targets as name=url, comma-separated',
    },
    interval: {
      flag: 'interval',
      type: 'duration',
      min: 1000,
      env: 'FFRTMP_HEALTH_INTERVAL',
      description: 'Check every interval and serve /metrics (default: check once and exit)',
    },
    port: {
      flag: 'port',
      type: 'int',
      default: 9600,
      min: 0,
      max: 65535,
      env: 'FFRTMP_HEALTH_PORT',
      description: 'Port of /metrics and POST /alerts (with --interval)',
    },
    host: {
      flag: 'host',
      type: 'string',
      default: '0.0.0.0',
      env: 'FFRTMP_HEALTH_HOST',
      description: 'Address to bind (with --interval)',
    },
    timeout: {
      flag: 'timeout',
      type: 'duration',
      default: 5000,
      min: 100,
      description: 'How long one scrape may take',
    },
    json: { flag: 'json', type: 'bool', default: false, description: 'Print JSON instead of a table' },
  }),
  async run(o, _p, io) {
    const parsed = parseTargets(o.targets);
    if ('problems' in parsed)
      throw new FfrtmpError('E_INVALID_CONFIG', `--targets: ${parsed.problems.join('; ')}`);
    if (o.interval === undefined) {
      const results = await checkTargets(parsed.targets, o.timeout);
      if (o.json) io.out(JSON.stringify(results, null, 2));
      else
        io.out(
          formatTable(
            ['EXPORTER', 'KIND', 'HEALTHY', 'REACHABLE', 'METRICS', 'SAMPLES', 'PROBLEM'],
            results.map((r) => [
              r.exporter,
              r.kind,
              r.healthy ? 'yes' : 'NO',
              r.reachable ? 'yes' : 'no',
              String(r.metricCount),
              String(r.sampleCount),
              r.problem ?? '',
            ]),
          ),
        );
      return results.every((r) => r.healthy) ? 0 : 1;
    }
    const checker = await startHealthChecker({
      targets: parsed.targets,
      intervalMs: o.interval,
      host: o.host,
      port: o.port,
      timeoutMs: o.timeout,
      log: (level, msg, fields) =>
        io.out(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })),
    });
    io.out(
      JSON.stringify({
        level: 'info',
        msg: `health-check listening on ${checker.url}`,
        targets: parsed.targets.map((t) => t.name),
      }),
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await checker.stop();
    return 0;
  },
});
