import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { type ExporterHealth, type ExporterTarget, checkExporter } from '../core/exporter-health.js';
import { httpGet } from './http-get.js';

/**
 * `ffrtmp health-check`: scrapes every target, judges it with core's checkExporter, and (with an
 * interval) serves the verdicts as `exporter_*` metrics on its own /metrics. Its POST /alerts is
 * an Alertmanager webhook receiver that logs each notification (deploy/alertmanager points at it).
 */

export async function checkTargets(
  targets: readonly ExporterTarget[],
  timeoutMs = 5000,
): Promise<ExporterHealth[]> {
  return Promise.all(
    targets.map(async (t) => {
      try {
        return checkExporter(t, await httpGet(t.url, timeoutMs));
      } catch (err) {
        return checkExporter(t, { error: (err as Error).message });
      }
    }),
  );
}

/** The exporter_* gauges, holding the last check's verdicts. */
export function createHealthRegistry(latest: () => readonly ExporterHealth[]): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, pick: (h: ExporterHealth) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['exporter', 'kind'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const h of latest()) this.set({ exporter: h.exporter, kind: h.kind }, pick(h));
      },
    });
  gauge('exporter_health_status', 'Whether the exporter is healthy (1) or not (0)', (h) =>
    h.healthy ? 1 : 0,
  );
  gauge('exporter_reachable', 'Whether the exporter answered its /metrics (1) or not (0)', (h) =>
    h.reachable ? 1 : 0,
  );
  gauge('exporter_metric_count', 'Metric families with samples at the last check', (h) => h.metricCount);
  gauge('exporter_sample_count', 'Samples at the last check', (h) => h.sampleCount);
  return registry;
}

export interface HealthCheckerOptions {
  targets: readonly ExporterTarget[];
  intervalMs: number;
  host: string;
  port: number;
  timeoutMs?: number;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export interface HealthChecker {
  url: string;
  latest(): readonly ExporterHealth[];
  /** Alertmanager notifications received on POST /alerts. */
  alertsReceived(): number;
  stop(): Promise<void>;
}

const MAX_ALERT_BODY = 1024 * 1024;

export async function startHealthChecker(o: HealthCheckerOptions): Promise<HealthChecker> {
  let latest: ExporterHealth[] = await checkTargets(o.targets, o.timeoutMs);
  let alerts = 0;
  const registry = createHealthRegistry(() => latest);
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500).end(`${err.message}\n`));
    } else if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}');
    } else if (req.method === 'POST' && req.url === '/alerts') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ALERT_BODY) chunks.push(c);
      });
      req.on('end', () => {
        if (size > MAX_ALERT_BODY) return void res.writeHead(413).end();
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            status?: string;
            alerts?: { labels?: Record<string, string>; status?: string }[];
          };
          alerts++;
          for (const a of body.alerts ?? [])
            o.log('warn', `alert ${a.status ?? body.status ?? ''}: ${a.labels?.alertname ?? '?'}`, {
              labels: a.labels,
            });
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end('expected an Alertmanager webhook JSON body\n');
        }
      });
    } else {
      res.writeHead(404).end('see /metrics, POST /alerts\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      const next = await checkTargets(o.targets, o.timeoutMs);
      for (const h of next) {
        const before = latest.find((l) => l.exporter === h.exporter);
        if (before?.healthy !== h.healthy)
          o.log(
            h.healthy ? 'info' : 'warn',
            `${h.exporter} ${h.healthy ? 'healthy' : `unhealthy: ${h.problem}`}`,
          );
      }
      latest = next;
      if (!stopped) timer = setTimeout(tick, o.intervalMs);
    })();
  };
  timer = setTimeout(tick, o.intervalMs);
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    latest: () => latest,
    alertsReceived: () => alerts,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
