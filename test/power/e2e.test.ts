import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakePowercap } from '../fixtures/power/fake-powercap.js';
import { CLI, http, spawnAgent, spawnMaster, tempDir, until } from '../helpers.js';

// Energy measured end to end: real master, real agent process, real FFmpeg; RAPL from a fake
// powercap tree that the test advances at a known rate, or the estimator where there is none.

const run = promisify(execFile);
const dir = tempDir('ffrtmp-power-');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dir.cleanup();
});

const JOB = {
  duration: 6,
  resolution: '320x240',
  fps: 15,
  bitrate: '300k',
  encoder: 'h264',
  preset: 'ultrafast',
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startPair(name: string, agentArgs: string[]) {
  const master = await spawnMaster(['--db', join(dir.path, `${name}.db`)]);
  cleanups.push(() => master.kill());
  const agent = await spawnAgent(master.url, join(dir.path, name), [
    '--baseline-duration',
    '1s',
    '--sample-interval',
    '200ms',
    ...agentArgs,
  ]);
  cleanups.push(() => agent.kill());
  await agent.nodeId;
  return { master, agent };
}

async function runJob(url: string, parameters: Record<string, unknown> = JOB) {
  const job = (await http(url, 'POST', '/jobs', { scenario: 'power', parameters })).json;
  await until(
    async () => {
      const j = (await http(url, 'GET', `/jobs/${job.id}`)).json;
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    },
    60_000,
    'the job to finish',
  );
  return (await http(url, 'GET', `/results/${job.id}`)).json;
}

/**
 * Advances fake RAPL counters continuously: energy_uj = start + rate × elapsed, rewritten every
 * few milliseconds by an atomic rename (a reader never sees half a file), wrapping at the range.
 */
function fakeTree(name: string, preset: 'one-socket' | 'two-sockets') {
  const path = join(dir.path, name);
  mkdirSync(path, { recursive: true });
  return createFakePowercap(path, preset);
}

function injectPower(root: string, zones: { id: string; watts: number; startUj: number; rangeUj: number }[]) {
  const t0 = performance.now();
  const write = () => {
    const elapsed = (performance.now() - t0) / 1000;
    for (const z of zones) {
      const path = join(root, z.id, 'energy_uj');
      writeFileSync(`${path}.tmp`, `${Math.round((z.startUj + z.watts * 1e6 * elapsed) % z.rangeUj)}\n`);
      renameSync(`${path}.tmp`, path);
    }
  };
  write();
  const timer = setInterval(write, 5);
  return () => clearInterval(timer);
}

describe('energy on this machine (no RAPL, no GPU)', () => {
  it('a real job is estimated, non-zero, with an uncertainty; doctor says why', async () => {
    const { master, agent } = await startPair('estimated', []);
    const result = await runJob(master.url);
    expect(result.status).toBe('completed');
    expect(result.energy.domains.package.source).toMatch(/^estimated:/);
    expect(result.energy.domains.package.joules).toBeGreaterThan(0);
    expect(result.energy.domains.package.uncertainty).toBeGreaterThan(0);
    expect(result.power.mean_watts).toBeGreaterThan(0);
    expect(result.power.source).toMatch(/^estimated:/);
    expect(result.energy.idle_baseline_watts).toBeGreaterThan(0);
    expect(result.energy.cpu_share).toBeGreaterThan(0);
    expect(result.analyzer_output.joules_per_frame).toBeGreaterThan(0);
    expect(result.samples.length).toBeGreaterThan(3);
    await agent.stop();
    const doctor = await run(process.execPath, [
      CLI,
      'doctor',
      '--powercap-root',
      join(dir.path, 'no-such-powercap'),
    ]);
    expect(doctor.stdout).toMatch(/MISS rapl\s+no RAPL powercap zones/);
    expect(doctor.stdout).toMatch(/CPU package energy on this machine: ESTIMATED \(estimated:/);
  });
});

describe('energy from RAPL counters (fake powercap tree)', () => {
  it('package and DRAM energy equal the injected energy over the window within 1 %, across a wrap', async () => {
    const tree = fakeTree('tree-1', 'one-socket');
    // The package counter wraps about every 4 s at 25 W: at least once in the 6 s job.
    const stopInjecting = injectPower(tree.root, [
      { id: 'intel-rapl:0', watts: 25, startUj: 1_000_000, rangeUj: 100_000_000 },
      { id: 'intel-rapl:0:0', watts: 18, startUj: 0, rangeUj: 262_143_328_850 },
      { id: 'intel-rapl:0:2', watts: 4, startUj: 0, rangeUj: 65_712_999_613 },
    ]);
    cleanups.push(stopInjecting);
    writeFileSync(join(tree.root, 'intel-rapl:0', 'max_energy_range_uj'), '100000000\n');
    const { master, agent } = await startPair('rapl', ['--powercap-root', tree.root]);
    const result = await runJob(master.url);
    expect(result.status).toBe('completed');
    const window = result.energy.window.duration_sec as number;
    const pkg = result.energy.domains.package;
    expect(pkg.source).toBe('rapl');
    // 25 W × window: the core sub-zone (18 W) is inside the package and never added to it.
    expect(Math.abs(pkg.joules - 25 * window) / (25 * window)).toBeLessThan(0.01);
    expect(Math.abs(result.energy.domains.dram.joules - 4 * window) / (4 * window)).toBeLessThan(0.01);
    expect(result.power.mean_watts).toBeCloseTo(25, 0);
    expect(result.power.dram_power.mean_watts).toBeCloseTo(4, 0);
    expect(result.energy.total_joules).toBeCloseTo(pkg.joules + result.energy.domains.dram.joules, 1);
    expect(result.energy.idle_baseline_watts).toBeCloseTo(29, 0); // 25 + 4 while idle, by construction
    await agent.stop();
  });
});

describe('VictoriaMetrics scraping the agent', () => {
  it('increase(rapl_energy_joules_total{zone=~"package.*"}) over a job window agrees with its ledger within 2 %', async () => {
    const vmBinary = '/usr/bin/victoria-metrics';
    if (!existsSync(vmBinary))
      throw new Error('this test needs VictoriaMetrics: apt-get install victoria-metrics');
    const tree = fakeTree('tree-2', 'two-sockets');
    const stopInjecting = injectPower(tree.root, [
      { id: 'intel-rapl:0', watts: 30, startUj: 0, rangeUj: 262_143_328_850 },
      { id: 'intel-rapl:1', watts: 20, startUj: 0, rangeUj: 262_143_328_850 },
    ]);
    cleanups.push(stopInjecting);
    const metricsPort = await freePort();
    const { master, agent } = await startPair('vm', [
      '--powercap-root',
      tree.root,
      '--metrics-port',
      String(metricsPort),
      '--metrics-host',
      '127.0.0.1',
    ]);

    const vmDir = join(dir.path, 'vm');
    mkdirSync(vmDir, { recursive: true });
    const scrape = join(vmDir, 'scrape.yml');
    writeFileSync(
      scrape,
      `scrape_configs:\n  - job_name: agent\n    scrape_interval: 200ms\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
    );
    const vmPort = await freePort();
    const vm = spawn(
      vmBinary,
      [
        `-storageDataPath=${join(vmDir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${vmPort}`,
        `-promscrape.config=${scrape}`,
        '-search.latencyOffset=0s',
        '-search.disableCache',
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => {
      vm.kill('SIGKILL');
      return new Promise((resolve) => (vm.exitCode !== null ? resolve(null) : vm.once('exit', resolve)));
    });
    const vmUrl = `http://127.0.0.1:${vmPort}`;
    const query = async (q: string, time?: number) => {
      const params = new URLSearchParams({ query: q, ...(time ? { time: String(time) } : {}) });
      return (await http(vmUrl, 'GET', `/api/v1/query?${params}`)).json;
    };
    await until(
      async () => {
        try {
          const r = await query('rapl_energy_joules_total');
          return r.data.result.length >= 2 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
      'VictoriaMetrics to have scraped the agent',
    );

    // increase() over the window is exact to about one scrape at each end: 200 ms of 24 s is under
    // 1 %, leaving room for scrapes that a loaded machine delays (12 s gave 2.1 % once).
    const result = await runJob(master.url, { ...JOB, duration: 24 });
    expect(result.status).toBe('completed');
    const start = Date.parse(result.energy.window.start) / 1000;
    const end = Date.parse(result.energy.window.end) / 1000;
    const ledger = result.energy.domains.package.joules as number;
    expect(ledger / (end - start)).toBeCloseTo(50, 0); // two sockets: 30 W + 20 W
    // Let VictoriaMetrics ingest the scrapes after the window's end.
    await until(
      async () => {
        const res = await fetch(
          `${vmUrl}/api/v1/export?match[]=rapl_energy_joules_total&start=${Math.floor(end)}`,
        );
        const lines = (await res.text()).split('\n').filter(Boolean);
        const latest = Math.max(
          0,
          ...lines.flatMap((l) => (JSON.parse(l) as { timestamps: number[] }).timestamps),
        );
        return latest > (end + 1) * 1000 ? true : undefined;
      },
      30_000,
      'scrapes past the window end',
    );
    const window = Math.round((end - start) * 1000);
    const r = await query(`sum(increase(rapl_energy_joules_total{zone=~"package.*"}[${window}ms]))`, end);
    const fromVm = Number(r.data.result[0]?.value[1]);
    expect(Math.abs(fromVm - ledger) / ledger).toBeLessThan(0.02);
    await agent.stop();
  }, 120_000);
});
