import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath } from '../browser.js';
import {
  type SpawnedAgent,
  type SpawnedMaster,
  http,
  outage,
  spawnAgent,
  spawnMaster,
  tempDir,
  until,
} from '../helpers.js';

// The built-in dashboard in headless Debian Chromium, against a real master process, a real agent
// process and real FFmpeg (power estimated on machines without RAPL). Screenshots are saved under
// test-artifacts/screenshots/.

const dir = tempDir('ffrtmp-dashboard-');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let browser: Browser;

beforeAll(async () => {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' });
  } catch {
    throw new Error('these tests run real FFmpeg: install it (apt-get install ffmpeg)');
  }
  browser = await launchBrowser();
  cleanups.push(() => browser.close());
});

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dir.cleanup();
});

/** A fresh page that records uncaught errors and console errors (a CSP violation is one). */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  cleanups.push(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

async function startMaster(args: string[] = []): Promise<SpawnedMaster> {
  const m = await spawnMaster([
    '--db',
    join(dir.path, `m-${Math.random().toString(36).slice(2)}.db`),
    ...args,
  ]);
  cleanups.push(() => m.kill());
  return m;
}

const submit = async (url: string, body: Record<string, unknown>) => {
  const res = await http(url, 'POST', '/jobs', body);
  expect(res.status).toBe(201);
  return res.json as { id: string };
};

const waitForJob = (url: string, id: string, statuses: string[], timeoutMs = 60_000) =>
  until(
    async () => {
      const job = (await http(url, 'GET', `/jobs/${id}`)).json;
      return statuses.includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to be ${statuses.join('|')}`,
  );

/** FFmpeg processes started for this job (its output path carries the job id). */
function ffmpegOf(jobId: string): number {
  try {
    return execFileSync('pgrep', ['-f', `ffmpeg.*${jobId}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe('dashboard with a real master, agent and FFmpeg', { timeout: 120_000 }, () => {
  let m: SpawnedMaster;
  let agent: SpawnedAgent;
  let nodeId: string;

  beforeAll(async () => {
    m = await startMaster();
    agent = await spawnAgent(m.url, join(dir.path, 'agent'), ['--sample-interval', '200ms']);
    cleanups.push(() => agent.kill());
    nodeId = await agent.nodeId;
  });

  it('the fleet page lists the node with its status, hardware and power source', async () => {
    const node = (await http(m.url, 'GET', `/nodes/${nodeId}`)).json;
    const { page, errors } = await openPage(`${m.url}/`);
    const row = page.locator(`#nodes tr:has([title="${nodeId}"])`);
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain(node.address);
    expect(text).toContain(nodeId.slice(0, 8));
    expect(text).toMatch(/available|busy/);
    expect(text).toContain(node.cpu_model);
    expect(text).toContain(node.power_sources.join(', '));
    await expect(page.locator('#queue table').first().textContent()).resolves.toMatch(/queued/);
    await page.screenshot({ path: screenshotPath('fleet'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("a finished job's page draws its power samples with Chart.js", async () => {
    const job = await submit(m.url, {
      scenario: 'dashboard-power',
      parameters: {
        duration: 3,
        resolution: '320x240',
        fps: 15,
        bitrate: '300k',
        encoder: 'h264',
        preset: 'ultrafast',
      },
    });
    await waitForJob(m.url, job.id, ['completed']);
    const result = (await http(m.url, 'GET', `/results/${job.id}`)).json;
    expect(result.samples.length).toBeGreaterThan(1);

    const { page, errors } = await openPage(`${m.url}/#/jobs/${job.id}`);
    await page.locator('#power-chart canvas').waitFor();
    const drawn = await page.evaluate(() => {
      // Runs in the page (the test's tsconfig has no DOM types).
      const page = globalThis as any;
      const canvas = page.document.querySelector('#power-chart canvas');
      const chart = page.Chart.getChart(canvas);
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<string>();
      let line = 0; // pixels in the package line's colour, #2563eb
      for (let i = 0; i < pixels.length; i += 4) {
        colours.add(`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]},${pixels[i + 3]}`);
        if (pixels[i] === 37 && pixels[i + 1] === 99 && pixels[i + 2] === 235) line++;
      }
      return {
        points: chart.data.datasets[0].data.length,
        firstY: chart.data.datasets[0].data[0].y,
        colours: colours.size,
        line,
      };
    });
    expect(drawn.points).toBe(result.samples.length);
    expect(drawn.points).toBeGreaterThan(1);
    expect(drawn.firstY).toBe(result.samples[0].package_watts);
    expect(drawn.colours).toBeGreaterThan(1);
    expect(drawn.line).toBeGreaterThan(50);
    // The ledger and FFmpeg sections show the result's figures.
    const resultText = await page.locator('#job-result').textContent();
    expect(resultText).toContain('Energy ledger');
    expect(resultText).toContain(result.energy.domains.package.source);
    expect(resultText).toContain('frames_encoded');
    expect(await page.locator('#cancel-job').isHidden()).toBe(true);
    await page.screenshot({ path: screenshotPath('job'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('the cancel button cancels a running job and the agent stops its FFmpeg', async () => {
    const job = await submit(m.url, {
      scenario: 'dashboard-cancel',
      parameters: {
        duration: 120,
        resolution: '256x144',
        fps: 10,
        encoder: 'h264',
        preset: 'ultrafast',
        output: 'file',
      },
    });
    await waitForJob(m.url, job.id, ['running']);
    await until(() => (ffmpegOf(job.id) > 0 ? true : undefined), 10_000, 'the job FFmpeg to appear');

    const { page, errors } = await openPage(`${m.url}/#/jobs/${job.id}`);
    // Live progress: the page polls and shows the FFmpeg stats the agent reports while it runs.
    await page.locator('#job-progress', { hasText: 'fps' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#job-progress progress').count()).toBe(1);
    const cancel = page.locator('#cancel-job');
    await cancel.waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await cancel.click();
    const canceled = await waitForJob(m.url, job.id, ['canceled'], 10_000);
    expect(canceled.error).toMatch(/cancel/);
    await until(() => (ffmpegOf(job.id) === 0 ? true : undefined), 10_000, 'the job FFmpeg to be gone');
    await page.locator('h1 .status-canceled').waitFor();
    expect(await cancel.isHidden()).toBe(true);
    expect(await page.locator('#retry-job').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('job-canceled'), fullPage: true });
    // Retry queues the next attempt, which the agent picks up again; the API cancels that one.
    await page.click('#retry-job');
    const retried = await waitForJob(m.url, job.id, ['queued', 'assigned', 'running'], 10_000);
    expect(retried.attempt).toBe(2);
    await page.locator('h1 .badge:not(.status-canceled)').waitFor();
    expect(await cancel.isVisible()).toBe(true);
    // Cancel it once it runs, and wait for the agent to end it, so no FFmpeg outlives the test.
    await waitForJob(m.url, job.id, ['running'], 15_000);
    await http(m.url, 'POST', `/jobs/${job.id}/cancel`);
    const ended = () => agent.logs().filter((l) => l.msg === 'job ended' && l.job_id === job.id).length;
    await until(() => (ended() >= 2 ? true : undefined), 15_000, 'the agent to end the second attempt');
    expect(ffmpegOf(job.id)).toBe(0);
    // The jobs list filtered by status shows it, and only canceled jobs.
    await page.goto(`${m.url}/#/jobs`);
    await page.locator('#jobs table').waitFor();
    await page.selectOption('#status-filter', 'canceled');
    await page.locator(`#jobs a[href="#/jobs/${job.id}"]`).waitFor();
    expect(page.url()).toMatch(/#\/jobs\?status=canceled$/);
    const badges = await page.locator('#jobs tbody .badge').allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toEqual(new Set(['canceled']));
    expect(errors).toEqual([]);
  });

  it('polls every few seconds while visible and not at all while the tab is hidden', async () => {
    const { page, errors } = await openPage(`${m.url}/`);
    await page.locator('#nodes table').waitFor();
    let polls = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/nodes') polls++;
    });
    await until(() => (polls >= 1 ? true : undefined), 10_000, 'a refresh while visible');
    await page.evaluate(() => {
      const d = (globalThis as any).document;
      Object.defineProperty(d, 'visibilityState', { configurable: true, get: () => 'hidden' });
      d.dispatchEvent(new Event('visibilitychange'));
    });
    await page.locator('#refresh-state', { hasText: 'paused' }).waitFor();
    const before = polls;
    await outage(7000); // more than two refresh periods (3 s) with the tab hidden
    expect(polls).toBe(before);
    await page.evaluate(() => {
      const d = (globalThis as any).document;
      Object.defineProperty(d, 'visibilityState', { configurable: true, get: () => 'visible' });
      d.dispatchEvent(new Event('visibilitychange'));
    });
    await until(() => (polls > before ? true : undefined), 2000, 'a refresh as soon as the tab shows');
    expect(errors).toEqual([]);
  });

  it('hostile node and scenario names render as text, never as markup', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const reg = await http(m.url, 'POST', '/nodes/register', {
      address: hostile,
      labels: { rack: '<b id="bold">r1</b>' },
      cpu_model: '<script>window.__pwned=3</script>',
    });
    expect(reg.status).toBe(201);
    // Targeted at the hostile node, which never polls: the job stays queued.
    const job = await submit(m.url, {
      scenario: '<script>window.__pwned=2</script>',
      parameters: { duration: 1 },
      target_node_id: reg.json.id,
    });
    const { page, errors } = await openPage(`${m.url}/`);
    const row = page.locator(`#nodes tr:has([title="${reg.json.id}"])`);
    await row.waitFor();
    expect(await row.textContent()).toContain(hostile);
    expect(await row.textContent()).toContain('rack=<b id="bold">r1</b>');
    await page.goto(`${m.url}/#/jobs?status=queued`);
    await page.locator(`#jobs a[href="#/jobs/${job.id}"]`).waitFor();
    expect(await page.locator('#jobs').textContent()).toContain('<script>window.__pwned=2</script>');
    await page.goto(`${m.url}/#/jobs/${job.id}`);
    await page.locator('h1 .status-queued').waitFor();
    expect(await page.locator('h1').textContent()).toContain('<script>');
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(await page.locator('img, #bold, main script').count()).toBe(0);
    expect(errors).toEqual([]);
    await http(m.url, 'POST', `/jobs/${job.id}/cancel`);
  });

  it('a run page shows its scenario table, ranking, power over time and energy vs quality', async () => {
    const scenario = (name: string, bitrate: string) => ({
      scenario: name,
      parameters: {
        duration: 2,
        resolution: '320x240',
        fps: 15,
        bitrate,
        encoder: 'h264',
        preset: 'ultrafast',
        quality: true,
      },
    });
    const created = await http(m.url, 'POST', '/runs', {
      name: '<i>dashboard</i> run',
      jobs: [scenario('run-300k', '300k'), scenario('run-900k', '900k')],
    });
    expect(created.status).toBe(201);
    const runId = created.json.id as string;
    const run = await until(
      async () => {
        const r = (await http(m.url, 'GET', `/runs/${runId}`)).json;
        return r.status === 'completed' ? r : undefined;
      },
      90_000,
      'the run to complete',
    );
    expect(run.results.scenarios.length).toBe(2);

    const { page, errors } = await openPage(`${m.url}/#/runs`);
    const row = page.locator(`#runs a[href="#/runs/${runId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toBe('<i>dashboard</i> run');
    await row.click();
    await page.locator('#run-scenarios tbody tr').nth(1).waitFor();
    expect(await page.locator('#run-scenarios tbody tr').count()).toBe(2);
    expect(await page.locator('#run-scenarios').textContent()).toMatch(/run-300k[\s\S]*run-900k/);
    // Ranked by default by the master's analysis (GET /runs/{id} `analysis`): its efficiency score,
    // the algorithm named, in the API's efficiency_rank order.
    expect(await page.locator('#ranking-metric').inputValue()).toBe('analysis');
    const algorithm = run.analysis.scenarios[0].efficiency_algorithm as string;
    expect(algorithm).toMatch(/^(throughput_per_watt|pixels_per_joule|quality_per_watt|qoe_efficiency)$/);
    expect(await page.locator('#ranking-metric option:checked').textContent()).toContain(algorithm);
    expect(await page.locator('#run-ranking-note').textContent()).toContain(
      `Efficiency score by ${algorithm}`,
    );
    const byRank = run.analysis.scenarios
      .filter((a: any) => a.efficiency_rank !== null)
      .sort((x: any, y: any) => x.efficiency_rank - y.efficiency_rank)
      .map((a: any) => a.name);
    expect(byRank.length).toBe(2);
    const shown = await page.locator('#run-ranking tbody tr td:nth-child(2)').allTextContents();
    expect(shown).toEqual(byRank);
    const ranks = await page.locator('#run-ranking tbody tr td:nth-child(1)').allTextContents();
    expect(ranks).toEqual(['1', '2']);
    await page.screenshot({ path: screenshotPath('run-analysis'), fullPage: true });
    // A per-job figure, chosen by the user: pixels per joule, higher is better.
    await page.selectOption('#ranking-metric', 'pixels_per_joule');
    await page.locator('#run-ranking th', { hasText: 'pixels per joule' }).waitFor();
    const ranked = await page.locator('#run-ranking tbody tr').allTextContents();
    expect(ranked.length).toBe(2);
    const ppj = Object.fromEntries(
      run.results.scenarios.map((s: any) => [s.name, s.analyzer_output.pixels_per_joule]),
    );
    const best = ppj['run-300k'] >= ppj['run-900k'] ? 'run-300k' : 'run-900k';
    expect(ranked[0]).toContain(best);
    // Another figure, chosen by the user: joules per frame, lower is better.
    await page.selectOption('#ranking-metric', 'joules_per_frame');
    const jpf = Object.fromEntries(
      run.results.scenarios.map((s: any) => [s.name, s.analyzer_output.joules_per_frame]),
    );
    const leanest = jpf['run-300k'] <= jpf['run-900k'] ? 'run-300k' : 'run-900k';
    await page.locator('#run-ranking th', { hasText: 'joules per frame' }).waitFor();
    expect(await page.locator('#run-ranking tbody tr').first().textContent()).toContain(leanest);
    const charts = await page.evaluate(() => {
      const g = globalThis as any;
      const chartOf = (sel: string) => g.Chart.getChart(g.document.querySelector(`${sel} canvas`));
      const power = chartOf('#run-power-chart');
      const quality = chartOf('#run-quality-chart');
      return {
        powerLines: power.data.datasets.map((d: any) => d.data.length),
        qualityPoints: quality.data.datasets.flatMap((d: any) => d.data.map((p: any) => p.y)),
        qualityLabel: quality.data.datasets[0].label,
      };
    });
    expect(charts.powerLines).toEqual(run.results.scenarios.map((s: any) => s.samples.length));
    for (const n of charts.powerLines) expect(n).toBeGreaterThan(1);
    const expected = run.results.scenarios.map((s: any) => s.vmaf_score ?? s.psnr_score);
    expect(charts.qualityPoints).toEqual(expected);
    expect(charts.qualityLabel).toMatch(/VMAF|PSNR/);
    await page.screenshot({ path: screenshotPath('run'), fullPage: true });
    expect(errors).toEqual([]);
  });
});

describe('dashboard on a master with --api-key', { timeout: 60_000 }, () => {
  it('asks for the key, says so on a wrong key (401), shows data with the right one', async () => {
    const KEY = 'dashboard-secret-key';
    const m = await startMaster(['--api-key', KEY]);
    const auth = { authorization: `Bearer ${KEY}` };
    const node = await http(m.url, 'POST', '/nodes/register', { address: 'keyed-node-7' }, auth);
    expect(node.status).toBe(201);

    const { page, errors } = await openPage(`${m.url}/`);
    const form = page.locator('#key-form');
    await form.waitFor();
    expect(await page.locator('#key-message').textContent()).toMatch(/needs an API key \(401 E_UNAUTHORIZED/);
    expect(await page.locator('#main').isHidden()).toBe(true);

    await page.fill('#key-input', 'not-the-key');
    await page.click('#key-form button');
    await page.locator('#key-message', { hasText: 'refused the key' }).waitFor();
    expect(await page.locator('#key-message').textContent()).toMatch(/401 E_UNAUTHORIZED: wrong API key/);
    await page.screenshot({ path: screenshotPath('api-key-refused'), fullPage: true });

    await page.fill('#key-input', KEY);
    await page.click('#key-form button');
    await page.locator('#nodes', { hasText: 'keyed-node-7' }).waitFor();
    expect(await form.isHidden()).toBe(true);
    // The key is kept for the tab: another page asks for nothing.
    await page.goto(`${m.url}/#/jobs`);
    await page.locator('#jobs', { hasText: 'No jobs.' }).waitFor();
    expect(await form.isHidden()).toBe(true);
    // Forgetting the key asks for it again.
    await page.click('#forget-key');
    await page.locator('#key-message', { hasText: 'needs an API key' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    // The only errors are the browser's reports of the refused requests.
    expect(errors.filter((e) => !/401 \(Unauthorized\)/.test(e))).toEqual([]);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});
