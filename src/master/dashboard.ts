import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { FfrtmpError, toErrorBody } from '../core/errors.js';
import type { MasterContext } from './create-master.js';

/**
 * The built-in dashboard (DESIGN §4 `GET /`): one HTML page and its static ES modules from the
 * package's `dashboard/` folder, plus Chart.js from node_modules — nothing from the internet.
 * The page itself holds no data: it calls the JSON API, with the API key when the master has one,
 * so the assets are open like /health.
 *
 * Caching: the page is revalidated on every load (`no-cache`); the assets live under a path that
 * carries a hash of their contents (or Chart.js's version), so they are cached for a year and a
 * new release can never mix old and new modules.
 */

/** Everything the page may load; no inline script or style, no other origin. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  body: Buffer;
  type: string;
}

export interface DashboardAssets {
  /** The page with its asset paths filled in. */
  html: string;
  /** Served files by their path under the versioned folder (`app.js`, `pages/fleet.js` …). */
  files: Map<string, Asset>;
  /** Hash of all files: the versioned folder's name. */
  version: string;
  chart: { path: string; body: Buffer };
}

/** The dashboard's files: `<package root>/dashboard`, the same from src/master and dist/master. */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboard');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Reads the dashboard folder and Chart.js once (the master calls this on the first request). */
export async function loadDashboardAssets(dir = DASHBOARD_DIR): Promise<DashboardAssets> {
  const files = new Map<string, Asset>();
  const hash = createHash('sha256');
  let template: string | undefined;
  for (const path of await listFiles(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    const body = await readFile(path);
    if (name === 'index.html') {
      template = body.toString('utf8');
      continue;
    }
    const type = TYPES[extname(name)];
    if (!type) continue;
    files.set(name, { body, type });
    hash.update(name).update(body);
  }
  if (template === undefined) throw new Error(`the dashboard page is missing: ${join(dir, 'index.html')}`);
  // chart.js exports only its entry points; the UMD build sits beside the CommonJS one.
  const require = createRequire(import.meta.url);
  const chartDist = dirname(require.resolve('chart.js'));
  const chartVersion = (
    JSON.parse(await readFile(join(chartDist, '..', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const chart = {
    path: `/dashboard/vendor/chart.js@${chartVersion}/chart.umd.js`,
    body: await readFile(join(chartDist, 'chart.umd.js')),
  };
  const version = hash.digest('hex').slice(0, 12);
  const html = template.replaceAll('{{assets}}', `/dashboard/${version}`).replaceAll('{{chart}}', chart.path);
  return { html, files, version, chart };
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

function notFound(reply: FastifyReply, url: string) {
  const e = new FfrtmpError('E_NOT_FOUND', `no dashboard file ${url.split('?')[0]}`);
  return reply.code(404).send(toErrorBody(e));
}

/** Mounts `GET /` (the page) and `GET /dashboard/…` (its assets). */
export function mountDashboard(ctx: MasterContext, dir = DASHBOARD_DIR): void {
  const { app } = ctx;
  let loading: Promise<DashboardAssets> | undefined;
  const assets = () => {
    loading ??= loadDashboardAssets(dir).catch((error: unknown) => {
      loading = undefined; // a later request tries again
      throw error;
    });
    return loading;
  };

  app.get('/', async (_request, reply) => {
    const { html } = await assets();
    return securityHeaders(reply)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(html);
  });

  app.get('/dashboard/vendor/*', async (request, reply) => {
    const { chart } = await assets();
    if (request.url.split('?')[0] !== chart.path) return notFound(reply, request.url);
    return securityHeaders(reply)
      .header('cache-control', IMMUTABLE)
      .type('text/javascript; charset=utf-8')
      .send(chart.body);
  });

  app.get<{ Params: { version: string; '*': string } }>('/dashboard/:version/*', async (request, reply) => {
    const { files, version } = await assets();
    const file = files.get(request.params['*']);
    if (request.params.version !== version || !file) return notFound(reply, request.url);
    return securityHeaders(reply).header('cache-control', IMMUTABLE).type(file.type).send(file.body);
  });
}
