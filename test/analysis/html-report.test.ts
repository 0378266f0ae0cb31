import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/analysis/html-report.js';
import type { HtmlReportInput, PowerSample, ReportScenario } from '../../src/analysis/report-model.js';
import { launchBrowser, screenshotPath } from '../browser.js';
import { tempDir } from '../helpers.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

/** 120 s at 1 Hz around `mean` watts: a deterministic wobble and a warm-up ramp. */
function samples(mean: number, wobble: number): PowerSample[] {
  return Array.from({ length: 121 }, (_, t) => ({
    t,
    w: Math.round((mean * Math.min(1, 0.7 + t / 40) + wobble * Math.sin(t / 7)) * 10) / 10,
  }));
}

function scenario(s: Omit<ReportScenario, 'samples'> & { wobble: number }): ReportScenario {
  const { wobble, ...rest } = s;
  return { durationS: 120, samples: samples(s.meanWatts ?? 0, wobble), ...rest };
}

// Five scenarios as `ffrtmp analyze` would hand them over: an idle baseline (unscored), four
// encodes scored by qoe_efficiency_score, one of them without VMAF and with a hostile name.
const INPUT: HtmlReportInput = {
  title: 'ffrtmp analysis — test_results_20261127_003000.json',
  testDate: '2026-11-27T00:30:00Z',
  generatedAt: '2026-11-27T00:45:00Z',
  powerSource: { name: 'estimated:teads-tdp-100w', estimated: true, uncertainty: 0.3 },
  algorithm: 'qoe_efficiency_score',
  scoreUnit: 'pixels/J',
  recommendation: 'Best: "1080p30 @ 5M" (h264/fast) — 54,321 VMAF-weighted pixels per joule.',
  region: 'us-east-1',
  scenarios: [
    scenario({
      name: 'Idle baseline',
      baseline: true,
      bitrate: '0k',
      meanWatts: 30,
      peakWatts: 33,
      energyJ: 3600,
      netEnergyJ: 0,
      efficiencyScore: null,
      efficiencyRank: null,
      costUsd: 0.00012,
      co2G: 0.39,
      wobble: 1,
    }),
    scenario({
      name: '720p30 @ 1000k',
      encoder: 'libx264',
      preset: 'veryfast',
      bitrate: '1000k',
      resolution: '1280x720',
      fps: 30,
      streams: 1,
      meanWatts: 50,
      peakWatts: 58,
      energyJ: 6000,
      netEnergyJ: 2400,
      efficiencyScore: 41_000,
      efficiencyRank: 3,
      vmaf: 82.5,
      psnr: 38.1,
      costUsd: 0.0002,
      co2G: 0.65,
      wobble: 4,
    }),
    scenario({
      name: '1080p30 @ 2500k',
      encoder: 'libx264',
      preset: 'fast',
      bitrate: '2500k',
      resolution: '1920x1080',
      fps: 30,
      streams: 1,
      meanWatts: 60,
      peakWatts: 71,
      energyJ: 7200,
      netEnergyJ: 3600,
      efficiencyScore: 52_000,
      efficiencyRank: 2,
      vmaf: 91.2,
      psnr: 41.3,
      costUsd: 0.00024,
      co2G: 0.78,
      wobble: 5,
    }),
    scenario({
      name: '1080p30 @ 5M',
      encoder: 'libx264',
      preset: 'fast',
      bitrate: '5M',
      resolution: '1920x1080',
      fps: 30,
      streams: 1,
      meanWatts: 80,
      peakWatts: 92,
      energyJ: 9600,
      netEnergyJ: 6000,
      efficiencyScore: 54_321,
      efficiencyRank: 1,
      vmaf: 95.8,
      psnr: 44.0,
      costUsd: 0.00032,
      co2G: 1.04,
      wobble: 6,
    }),
    scenario({
      name: HOSTILE,
      encoder: 'libx264',
      preset: 'veryfast',
      bitrate: '2500k',
      resolution: '1280x720',
      fps: 30,
      streams: 4,
      meanWatts: 150,
      peakWatts: 171,
      energyJ: 18_000,
      netEnergyJ: 14_400,
      efficiencyScore: 12_000,
      efficiencyRank: 4,
      costUsd: 0.0006,
      co2G: 1.95,
      wobble: 9,
    }),
  ],
};

// The little of the page's DOM and Chart.js that the checks touch (tsconfig has no DOM lib).
interface PageCanvas {
  id: string;
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageChart {
  config: { type: string };
  data: { labels?: unknown[]; datasets: { data: unknown[] }[] };
}
interface PageGlobals {
  Chart: { getChart(canvas: PageCanvas): PageChart | undefined };
  document: { getElementById(id: string): PageCanvas | null };
}

interface CanvasReport {
  id: string;
  width: number;
  height: number;
  painted: number;
  colours: number;
  chart: { type: string; datasets: number[] } | null;
}

describe('HTML report in headless Chromium', () => {
  const dir = tempDir('ffrtmp-report-');
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const requests: string[] = [];
  const problems: string[] = [];
  let file = '';

  beforeAll(async () => {
    file = join(dir.path, 'report.html');
    writeFileSync(file, renderHtmlReport(INPUT));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    // The page must work with no network: anything but file: is refused and recorded.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    dir.cleanup();
  });

  it('loads from one file with no network request and no script error or dialog', () => {
    expect(offsite).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
  });

  it('draws four non-empty Chart.js charts with the expected datasets and points', async () => {
    const canvases: CanvasReport[] = await page.$$eval('canvas[data-chart]', (els) =>
      els.map((el) => {
        const canvas = el as unknown as PageCanvas;
        const ctx = canvas.getContext('2d');
        const pixels = ctx
          ? ctx.getImageData(0, 0, canvas.width, canvas.height).data
          : new Uint8ClampedArray();
        let painted = 0;
        const colours = new Set<number>();
        for (let i = 0; i < pixels.length; i += 4) {
          if ((pixels[i + 3] ?? 0) === 0) continue;
          painted++;
          if (colours.size < 50)
            colours.add(((pixels[i] ?? 0) << 16) | ((pixels[i + 1] ?? 0) << 8) | (pixels[i + 2] ?? 0));
        }
        const chart = (globalThis as unknown as PageGlobals).Chart.getChart(canvas);
        return {
          id: canvas.id,
          width: canvas.width,
          height: canvas.height,
          painted,
          colours: colours.size,
          chart: chart
            ? { type: chart.config.type, datasets: chart.data.datasets.map((d) => d.data.length) }
            : null,
        };
      }),
    );
    expect(canvases.map((c) => c.id)).toEqual([
      'chart-power',
      'chart-ranking',
      'chart-quality',
      'chart-cost',
    ]);
    for (const c of canvases) {
      expect(c.width, c.id).toBeGreaterThan(100);
      expect(c.height, c.id).toBeGreaterThan(100);
      // Axes, grid, labels and data: well over 1 % of the pixels painted, in many colours.
      expect(c.painted, c.id).toBeGreaterThan(c.width * c.height * 0.01);
      expect(c.colours, c.id).toBeGreaterThan(5);
    }
    const charts = Object.fromEntries(canvases.map((c) => [c.id, c.chart]));
    expect(charts['chart-power']).toEqual({ type: 'line', datasets: [121, 121, 121, 121, 121] });
    expect(charts['chart-ranking']).toEqual({ type: 'bar', datasets: [4] });
    // Three scenarios have VMAF; 720p@1000k, 2500k and 5M each buy quality with energy: all on the front.
    expect(charts['chart-quality']).toEqual({ type: 'scatter', datasets: [3, 3] });
    expect(charts['chart-cost']).toEqual({ type: 'bar', datasets: [5] });
  });

  it('ranks best first and names the scenario without VMAF', async () => {
    const labels = await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      const canvas = page.document.getElementById('chart-ranking');
      return canvas ? page.Chart.getChart(canvas)?.data.labels : null;
    });
    expect(labels).toEqual(['#1 1080p30 @ 5M', '#2 1080p30 @ 2500k', '#3 720p30 @ 1000k', `#4 ${HOSTILE}`]);
    const caption = await page.locator('#section-quality .caption').textContent();
    expect(caption).toContain(`No VMAF for: Idle baseline, ${HOSTILE}.`);
  });

  it('shows the estimated-power note and the recommendation', async () => {
    const note = page.locator('[data-note="estimated-power"]');
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/^Estimated power: .*estimated:teads-tdp-100w \(±30 %\)/);
    expect(await page.locator('#recommendation').textContent()).toBe(INPUT.recommendation);
  });

  it('renders a hostile scenario name as text, not markup', async () => {
    expect(await page.locator('img').count()).toBe(0);
    const names = await page.locator('#summary td.name').allTextContents();
    expect(names).toHaveLength(5);
    expect(names[4]).toBe(HOSTILE);
    expect(problems).toEqual([]);
  });

  it('saves a full-page screenshot and prints to PDF', async () => {
    const shot = screenshotPath('analysis-report');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(shot.replace(/\.png$/, '.pdf'), pdf); // kept beside the screenshot for a look
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
  }, 60_000);
});
