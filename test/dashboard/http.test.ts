import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../src/master/dashboard.js';
import { type TestMaster, openTestMaster } from '../helpers.js';

// The dashboard's page and assets over app.inject: headers, caching, and that the assets are open
// while the API behind them keeps its key.

let m: TestMaster | undefined;
afterEach(async () => {
  await m?.close();
  m = undefined;
});

const assetPaths = (html: string) =>
  [...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((x) => x[1] ?? '');

describe('GET / (the dashboard page)', () => {
  it('returns HTML with a strict Content-Security-Policy and no inline script', async () => {
    m = openTestMaster();
    const res = await m.master.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Every <script> loads a file: none carries code of its own.
    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/dashboard\//);
      expect(body?.trim()).toBe('');
    }
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('serves its assets (and Chart.js from node_modules) at versioned, immutable paths', async () => {
    m = openTestMaster();
    const html = (await m.master.app.inject({ method: 'GET', url: '/' })).body;
    const paths = assetPaths(html);
    expect(paths).toContain('/dashboard/vendor/chart.js@4.6.1/chart.umd.js');
    expect(paths.some((p) => /^\/dashboard\/[0-9a-f]{12}\/app\.js$/.test(p))).toBe(true);
    for (const path of paths) {
      const res = await m.master.app.inject({ method: 'GET', url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type'], path).toMatch(
        path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
    }
    const chart = await m.master.app.inject({
      method: 'GET',
      url: '/dashboard/vendor/chart.js@4.6.1/chart.umd.js',
    });
    expect(chart.body).toContain('Chart.js v4.6.1');
    // The modules app.js imports resolve under the same versioned folder.
    const app = paths.find((p) => p.endsWith('/app.js')) ?? '';
    const base = app.slice(0, -'app.js'.length);
    for (const spec of ['api.js', 'dom.js', 'charts.js', 'pages/fleet.js', 'pages/job.js', 'pages/run.js']) {
      expect((await m.master.app.inject({ method: 'GET', url: base + spec })).statusCode, spec).toBe(200);
    }
  });

  it('answers 404 in the API error shape for an unknown file, an old version or a path outside the folder', async () => {
    m = openTestMaster();
    for (const url of [
      '/dashboard/000000000000/app.js',
      '/dashboard/vendor/chart.js@0.0.1/chart.umd.js',
      '/dashboard/x/../../package.json',
    ]) {
      const res = await m.master.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('E_NOT_FOUND');
    }
    const html = (await m.master.app.inject({ method: 'GET', url: '/' })).body;
    const base = (assetPaths(html).find((p) => p.endsWith('/app.js')) ?? '').slice(0, -'app.js'.length);
    for (const spec of ['index.html', '../dashboard.ts', '%2e%2e/%2e%2e/package.json', 'nope.js']) {
      expect((await m.master.app.inject({ method: 'GET', url: base + spec })).statusCode, spec).toBe(404);
    }
  });

  it('with --api-key the page and assets are open, the API is not', async () => {
    m = openTestMaster({ options: { apiKey: 'sesame-key' } });
    const page = await m.master.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    for (const path of assetPaths(page.body)) {
      expect((await m.master.app.inject({ method: 'GET', url: path })).statusCode, path).toBe(200);
    }
    expect((await m.master.app.inject({ method: 'GET', url: '/nodes' })).statusCode).toBe(401);
  });
});
