import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTargets } from '../../src/core/exporter-health.js';
import {
  ALERT_RULES_FILE,
  alertmanagerArgs,
  alertingPaths,
  listAlertRules,
  vmalertArgs,
  writeAlertingConfigs,
} from '../../src/stack/alerting.js';
import { type HealthChecker, startHealthChecker } from '../../src/stack/health-check.js';
import { createFakePowercap } from '../fixtures/power/fake-powercap.js';
import {
  type SpawnedAgent,
  type SpawnedMaster,
  http,
  spawnAgent,
  spawnMaster,
  tempDir,
  until,
} from '../helpers.js';
import { freePort } from '../stack/helpers.js';
import {
  dashboardQueries,
  parseLabelValues,
  substituteGrafanaVariables,
  withBoolComparisons,
} from './promql.js';

// The shipped observability stack against real components: VictoriaMetrics scraping a master, an
// agent (RAPL from a fake powercap tree, two fake NVIDIA GPUs, real FFmpeg) and the exporter
// health checker with deploy/victoriametrics.yml; vmalert with deploy/vmalert/alerts.yml;
// Alertmanager with deploy/alertmanager/alertmanager.yml. Then every PromQL expression of the
// dashboards and alert rules runs against VictoriaMetrics.

const BINARIES = {
  vm: ['/usr/bin/victoria-metrics', 'apt-get install victoria-metrics'],
  vmalert: ['/usr/bin/vmalert', 'apt-get install victoria-metrics'],
  alertmanager: ['/usr/bin/prometheus-alertmanager', 'apt-get install prometheus-alertmanager'],
} as const;
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const NVIDIA_SMI = join(import.meta.dirname, 'fixtures', 'nvidia-smi.sh');

/**
 * Expressions allowed to return nothing, and why. Anything else must return data.
 * (Matched against the expression text.)
 */
const EXEMPT: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /qoe_vmaf_score/, reason: "Debian's FFmpeg has no libvmaf: VMAF is never measured here" },
  { pattern: /qoe_quality_per_watt/, reason: 'quality per watt is VMAF / W: no VMAF here (see above)' },
];

const dir = tempDir('ffrtmp-obs-');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let vmUrl = '';
let vmalertUrl = '';
let testStart = 0;
const webhooks: { alerts: { status: string; labels: Record<string, string> }[] }[] = [];

function need(which: keyof typeof BINARIES): string {
  const [binary, install] = BINARIES[which];
  if (!existsSync(binary)) throw new Error(`this test needs ${binary}: ${install}`);
  return binary;
}

function startChild(binary: string, args: string[], name: string): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  child.once('exit', (code) => {
    if (code !== null && code !== 0) process.stderr.write(`${name} exited ${code}:\n${err}\n`);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(null);
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  );
  return child;
}

async function healthy(url: string, what: string) {
  await until(async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined), 30_000, what);
}

/** RAPL counters advancing at a known rate (25 W package, 18 W core inside it, 4 W DRAM). */
function fakeRapl(): string {
  const root = join(dir.path, 'powercap');
  mkdirSync(root, { recursive: true });
  const tree = createFakePowercap(root, 'one-socket');
  const zones = [
    { id: 'intel-rapl:0', watts: 25 },
    { id: 'intel-rapl:0:0', watts: 18 },
    { id: 'intel-rapl:0:2', watts: 4 },
  ];
  const t0 = performance.now();
  const write = () => {
    const elapsed = (performance.now() - t0) / 1000;
    for (const z of zones) {
      const path = join(tree.root, z.id, 'energy_uj');
      writeFileSync(`${path}.tmp`, `${Math.round(1_000_000 + z.watts * 1e6 * elapsed)}\n`);
      renameSync(`${path}.tmp`, path);
    }
  };
  write();
  const timer = setInterval(write, 20);
  cleanups.push(() => clearInterval(timer));
  return tree.root;
}

async function query(path: string, params: Record<string, string>) {
  const res = await fetch(`${vmUrl}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; error?: string; data: any };
  return { http: res.status, ...body };
}

async function finishJob(url: string, job: object) {
  const created = (await http(url, 'POST', '/jobs', job)).json;
  expect(created.id, JSON.stringify(created)).toBeDefined();
  return until(
    async () => {
      const j = (await http(url, 'GET', `/jobs/${created.id}`)).json;
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    },
    60_000,
    `job ${created.scenario} to finish`,
  );
}

beforeAll(async () => {
  const binaries = { vm: need('vm'), vmalert: need('vmalert'), alertmanager: need('alertmanager') };
  testStart = Date.now();
  const master: SpawnedMaster = await spawnMaster(['--db', join(dir.path, 'master.db')]);
  cleanups.push(() => master.kill());
  const agentPort = await freePort();
  const agent: SpawnedAgent = await spawnAgent(master.url, join(dir.path, 'agent'), [
    '--powercap-root',
    fakeRapl(),
    '--nvidia-smi',
    NVIDIA_SMI,
    '--metrics-port',
    String(agentPort),
    '--metrics-host',
    '127.0.0.1',
    '--sample-interval',
    '250ms',
  ]);
  cleanups.push(() => agent.kill());
  await agent.nodeId;

  const targets = parseTargets(`master=${master.url},agent=http://127.0.0.1:${agentPort}`);
  if ('problems' in targets) throw new Error(targets.problems.join('; '));
  const checker: HealthChecker = await startHealthChecker({
    targets: targets.targets,
    intervalMs: 1000,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
  });
  cleanups.push(() => checker.stop());

  // deploy/victoriametrics.yml with this test's addresses and a 1 s interval.
  const vmPort = await freePort();
  vmUrl = `http://127.0.0.1:${vmPort}`;
  const scrape = join(dir.path, 'victoriametrics.yml');
  writeFileSync(
    scrape,
    readFileSync(join(DEPLOY, 'victoriametrics.yml'), 'utf8')
      .replace('scrape_interval: 5s', 'scrape_interval: 1s')
      .replace('scrape_timeout: 4s', 'scrape_timeout: 900ms')
      .replace('"master:8080"', `"${new URL(master.url).host}"`)
      .replace('"agent:9500"', `"127.0.0.1:${agentPort}"`)
      .replace('"health-check:9600"', `"${new URL(checker.url).host}"`)
      .replace('"localhost:8428"', `"127.0.0.1:${vmPort}"`),
  );
  startChild(
    binaries.vm,
    [
      `-storageDataPath=${join(dir.path, 'vm-data')}`,
      `-httpListenAddr=127.0.0.1:${vmPort}`,
      `-promscrape.config=${scrape}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
    ],
    'victoria-metrics',
  );
  await healthy(`${vmUrl}/health`, 'VictoriaMetrics');

  // Alertmanager (deploy/'s config, webhook → this test) and vmalert (deploy/'s rules, one forced).
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      webhooks.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
  const address = receiver.address();
  const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/alerts`;
  const alertDir = join(dir.path, 'alerting-data');
  writeAlertingConfigs(
    alertDir,
    hookUrl,
    { HighPackagePower: { threshold: 1, for: '0s' } },
    { groupWait: '1s' },
  );
  const amPort = await freePort();
  startChild(binaries.alertmanager, alertmanagerArgs(alertDir, amPort), 'alertmanager');
  await healthy(`http://127.0.0.1:${amPort}/-/healthy`, 'Alertmanager');
  const vmalertPort = await freePort();
  vmalertUrl = `http://127.0.0.1:${vmalertPort}`;
  startChild(
    binaries.vmalert,
    vmalertArgs(alertDir, {
      port: vmalertPort,
      datasourceUrl: vmUrl,
      notifierUrl: `http://127.0.0.1:${amPort}`,
      evaluationInterval: '1s',
    }),
    'vmalert',
  );
  await healthy(`${vmalertUrl}/health`, 'vmalert');

  // A benchmark run: an idle baseline, then a real FFmpeg encode with PSNR/SSIM.
  const run = { run_id: 'obs-run' };
  const baseline = await finishJob(master.url, {
    ...run,
    scenario: 'baseline',
    parameters: { type: 'baseline', duration: 2 },
  });
  expect(baseline.status).toBe('completed');
  const encode = await finishJob(master.url, {
    ...run,
    scenario: '240p h264',
    parameters: {
      duration: 5,
      resolution: '320x240',
      fps: 15,
      bitrate: '300k',
      encoder: 'h264',
      preset: 'ultrafast',
      stabilization: 0,
      cooldown: 0,
      quality: true,
    },
  });
  expect(encode.status, encode.error).toBe('completed');
  // Everything scraped at least once after the results exist.
  await until(
    async () => {
      const r = await query('/api/v1/query', { query: 'results_scenario_mean_power_watts' });
      return r.data?.result?.length === 2 ? true : undefined;
    },
    30_000,
    'VictoriaMetrics to scrape the results family',
  );
}, 180_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dir.cleanup();
});

describe('every PromQL expression of deploy/ against VictoriaMetrics fed by our exporters', () => {
  it('dashboards: every panel query parses and returns data over the test (except the listed ones)', async () => {
    const { panels, variables } = dashboardQueries(join(DEPLOY, 'grafana', 'dashboards'));
    // Ingestion lags a busy machine by a scrape or two: ask again for up to 30 s before calling a
    // query empty (a real gap stays empty all that time).
    const emptyPanels = async () => {
      const end = Date.now();
      const empty: string[] = [];
      let exempted = 0;
      for (const q of panels) {
        const expr = substituteGrafanaVariables(q.expr);
        // Grafana's panels run range queries over the dashboard's time range.
        const r = await query('/api/v1/query_range', {
          query: expr,
          start: String(testStart / 1000),
          end: String(end / 1000),
          step: '1s',
        });
        expect(r.status, `${q.where}: ${expr}: ${r.error}`).toBe('success');
        const exempt = EXEMPT.find((e) => e.pattern.test(expr));
        if (exempt) exempted++;
        else if (r.data.result.length === 0) empty.push(`${q.where}: ${expr}`);
      }
      return { empty, exempted };
    };
    let empty: string[] = [];
    let exempted = 0;
    await until(
      async () => {
        ({ empty, exempted } = await emptyPanels());
        return empty.length === 0 ? true : undefined;
      },
      30_000,
      'every non-exempt panel query to return data',
    ).catch(() => undefined); // the assertion below names the empty ones
    expect(empty).toEqual([]);
    // Variables: label_values(metric, label) is what Grafana asks VictoriaMetrics' label API.
    for (const v of variables) {
      const { match, label } = parseLabelValues(v.expr);
      const r = await query(`/api/v1/label/${label}/values`, {
        'match[]': match,
        start: String(testStart / 1000),
      });
      expect(r.status, v.where).toBe('success');
      expect(r.data.length, `${v.where}: ${v.expr}`).toBeGreaterThan(0);
    }
    process.stdout.write(
      `dashboards: ${panels.length} panel queries and ${variables.length} variable queries executed, ${exempted} exempt from non-emptiness\n`,
    );
    expect(panels.length).toBeGreaterThanOrEqual(40);
    expect(exempted).toBe(2);
  });

  it('alert rules: every expr parses, and its comparison made bool returns data (nothing exempt)', async () => {
    const rules = listAlertRules(readFileSync(ALERT_RULES_FILE, 'utf8'));
    for (const rule of rules) {
      const plain = await query('/api/v1/query', { query: rule.expr });
      expect(plain.status, `${rule.alert}: ${rule.expr}: ${plain.error}`).toBe('success');
      const asBool = withBoolComparisons(rule.expr);
      const r = await query('/api/v1/query', { query: asBool });
      expect(r.status, `${rule.alert}: ${asBool}: ${r.error}`).toBe('success');
      expect(r.data.result.length, `${rule.alert}: ${asBool} returned nothing`).toBeGreaterThan(0);
    }
    process.stdout.write(`alert rules: ${rules.length} expressions executed, 0 exempt\n`);
    expect(rules.length).toBe(11);
  });

  it('vmalert evaluates every rule of the shipped file without error', async () => {
    const rules = await until(
      async () => {
        const body = (await (await fetch(`${vmalertUrl}/api/v1/rules`)).json()) as {
          data: {
            groups: {
              rules: { name: string; health: string; lastError: string; lastEvaluation: string }[];
            }[];
          };
        };
        const all = body.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined;
      },
      20_000,
      'vmalert to evaluate every rule once',
    );
    expect(rules.map((r) => r.name).sort()).toEqual(
      listAlertRules(readFileSync(ALERT_RULES_FILE, 'utf8'))
        .map((r) => r.alert)
        .sort(),
    );
    for (const r of rules) expect(r.lastError, r.name).toBe('');
    // The rules vmalert loaded are deploy/'s, but for the forced threshold.
    expect(readFileSync(alertingPaths(join(dir.path, 'alerting-data')).rules, 'utf8')).toContain(
      'sum by (instance) (rapl_power_watts{zone=~"package.*"}) > 1\n        for: 0s',
    );
  });
});

describe('alert path', () => {
  it('a rule forced to fire (package power > 1 W) reaches Alertmanager and its webhook receiver', async () => {
    const hook = await until(
      () =>
        webhooks
          .flatMap((w) => w.alerts)
          .find((a) => a.labels.alertname === 'HighPackagePower' && a.status === 'firing'),
      30_000,
      'the HighPackagePower webhook',
    );
    expect(hook.labels.severity).toBe('warning');
    expect(hook.labels.instance).toMatch(/^127\.0\.0\.1:\d+$/);
    // The unforced rules stay quiet: 25 W of fake RAPL is far from the 120 W critical threshold.
    expect(webhooks.flatMap((w) => w.alerts).some((a) => a.labels.alertname === 'CriticalPackagePower')).toBe(
      false,
    );
  });
});
