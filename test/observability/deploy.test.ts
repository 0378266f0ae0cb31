import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// deploy/ checked without Grafana or Docker: dashboards' JSON and datasources, and every config
// file by the tool that will read it (vmalert, amtool, VictoriaMetrics, nginx). docker-compose.yml
// is checked for structure only (no Docker here): its services and the files it mounts.

const run = promisify(execFile);
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const DASHBOARDS = join(DEPLOY, 'grafana', 'dashboards');
const read = (...p: string[]) => readFileSync(join(DEPLOY, ...p), 'utf8');

function need(binary: string, install: string): string {
  if (!existsSync(binary)) throw new Error(`this test needs ${binary}: ${install}`);
  return binary;
}

describe('Grafana dashboards', () => {
  const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'));
  const dashboards = files.map((f) => ({
    file: f,
    json: JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')),
  }));
  const provisioned = /uid:\s*(\S+)/.exec(
    read('grafana', 'provisioning', 'datasources', 'victoriametrics.yml'),
  )?.[1];

  it('are valid JSON with unique uids and titles: power, efficiency, baseline, cost, QoE, fleet', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(dashboards.map((d) => d.json.title)).size).toBe(dashboards.length);
    expect(uids.sort()).toEqual([
      'ffrtmp-baseline',
      'ffrtmp-cost',
      'ffrtmp-efficiency',
      'ffrtmp-fleet',
      'ffrtmp-power',
      'ffrtmp-qoe',
    ]);
  });

  it('every panel, query and variable uses the provisioned VictoriaMetrics datasource', () => {
    expect(provisioned).toBe('ffrtmp-vm');
    let panels = 0;
    for (const { file, json } of dashboards) {
      const ids = json.panels.map((p: { id: number }) => p.id);
      expect(new Set(ids).size, `${file}: panel ids`).toBe(ids.length);
      for (const p of json.panels) {
        panels++;
        expect(p.datasource, `${file}: ${p.title}`).toEqual({ type: 'prometheus', uid: provisioned });
        expect(p.targets.length, `${file}: ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.datasource, `${file}: ${p.title} ${t.refId}`).toEqual({
            type: 'prometheus',
            uid: provisioned,
          });
          expect(typeof t.expr).toBe('string');
        }
      }
      for (const v of json.templating.list)
        expect(v.datasource, `${file}: $${v.name}`).toEqual({ type: 'prometheus', uid: provisioned });
    }
    expect(panels).toBeGreaterThanOrEqual(30);
  });

  it('the dashboard provider loads the folder docker-compose mounts', () => {
    expect(read('grafana', 'provisioning', 'dashboards', 'ffrtmp.yml')).toContain(
      'path: /var/lib/grafana/dashboards',
    );
    expect(read('docker-compose.yml')).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});

describe('configs, checked by the programs that read them', () => {
  it('vmalert accepts the alert rules', async () => {
    const vmalert = need('/usr/bin/vmalert', 'apt-get install victoria-metrics');
    await run(vmalert, ['-dryRun', `-rule=${join(DEPLOY, 'vmalert', 'alerts.yml')}`]);
  });

  it('amtool accepts the Alertmanager config (a route and a webhook receiver)', async () => {
    const amtool = need('/usr/bin/amtool', 'apt-get install prometheus-alertmanager');
    const { stdout } = await run(amtool, ['check-config', join(DEPLOY, 'alertmanager', 'alertmanager.yml')]);
    expect(stdout).toContain('SUCCESS');
    expect(stdout).toContain('1 receivers');
    expect(read('alertmanager', 'alertmanager.yml')).toMatch(
      /webhook_configs:\n\s+- url: "http:\/\/health-check:9600\/alerts"/,
    );
  });

  it('VictoriaMetrics accepts the scrape config: master, agent and health checker every 5 s', async () => {
    const vm = need('/usr/bin/victoria-metrics', 'apt-get install victoria-metrics');
    const config = join(DEPLOY, 'victoriametrics.yml');
    await run(vm, [`-promscrape.config=${config}`, '-promscrape.config.dryRun']);
    const text = read('victoriametrics.yml');
    expect(text).toContain('scrape_interval: 5s');
    for (const job of ['ffrtmp-master', 'ffrtmp-agent', 'ffrtmp-health'])
      expect(text).toContain(`job_name: ${job}`);
  });

  it("nginx (with Debian's RTMP module loaded) accepts nginx.conf", async () => {
    const nginx = need('/usr/sbin/nginx', 'apt-get install nginx libnginx-mod-rtmp');
    const module = need('/usr/lib/nginx/modules/ngx_rtmp_module.so', 'apt-get install libnginx-mod-rtmp');
    const dir = mkdtempSync(join(tmpdir(), 'ffrtmp-nginx-'));
    try {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        `load_module ${module};\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n${read('nginx.conf')}`,
      );
      const { stderr } = await run(nginx, ['-t', '-c', conf, '-p', dir]);
      expect(stderr).toContain('syntax is ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docker-compose.yml (structure only: no Docker here) runs the whole stack with files that exist', () => {
    const compose = read('docker-compose.yml');
    expect(compose).not.toMatch(/\t/);
    const services = [...compose.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]);
    expect(services).toEqual([
      'master',
      'agent',
      'health-check',
      'nginx-rtmp',
      'victoriametrics',
      'vmalert',
      'alertmanager',
      'grafana',
    ]);
    for (const [, local] of compose.matchAll(/"?\.\/([\w./-]+):\//g))
      expect(existsSync(join(DEPLOY, local!)), local).toBe(true);
    expect(compose).toContain('dockerfile: deploy/Dockerfile');
    expect(existsSync(join(DEPLOY, 'Dockerfile'))).toBe(true);
  });

  it('systemd units start the master and the agent', () => {
    expect(read('systemd', 'ffrtmp-master.service')).toMatch(/^ExecStart=.*ffrtmp master /m);
    expect(read('systemd', 'ffrtmp-agent.service')).toMatch(/^ExecStart=.*ffrtmp agent --register /m);
  });
});
