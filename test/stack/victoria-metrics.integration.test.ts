import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpGet, httpHealth } from '../../src/stack/http-get.js';
import { type Component, startComponent } from '../../src/stack/supervisor.js';
import {
  findVictoriaMetrics,
  victoriaMetricsArgs,
  writeScrapeConfig,
} from '../../src/stack/victoria-metrics.js';
import { tempDir } from '../helpers.js';
import { freePort, isAlive, pgrep, waitFor } from './helpers.js';

describe('VictoriaMetrics under startComponent', () => {
  const dir = tempDir('ffrtmp-vm-');
  let vm: Component | undefined;
  let target: Server | undefined;

  afterAll(async () => {
    await vm?.stop();
    await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
    dir.cleanup();
  });

  it('starts on the generated scrape config, is healthy on /health, scrapes its target, and stops', async () => {
    const found = findVictoriaMetrics();
    if ('missing' in found) throw new Error(found.missing);

    // A stand-in for the master's /metrics endpoint.
    target = createServer((req, res) => {
      res.setHeader('connection', 'close');
      res.end(req.url === '/metrics' ? 'ffrtmp_stack_test_up 1\n' : '');
    });
    await new Promise<void>((resolve) => target?.listen(0, '127.0.0.1', resolve));
    const addr = target.address();
    const targetPort = typeof addr === 'object' && addr ? addr.port : 0;

    const port = await freePort();
    writeScrapeConfig(dir.path, [{ job: 'ffrtmp-master', targets: [`127.0.0.1:${targetPort}`] }], 1);
    const args = victoriaMetricsArgs({ dataDir: dir.path, listenAddr: `127.0.0.1:${port}`, retention: '7d' });
    vm = await startComponent({
      name: 'victoria-metrics',
      command: found.binary,
      args,
      logFile: join(dir.path, 'logs', 'victoria-metrics.log'),
      health: httpHealth(`http://127.0.0.1:${port}/health`),
      startTimeoutMs: 20_000,
    });
    expect(pgrep(dir.path)).toEqual([vm.pid]);

    // VictoriaMetrics scrapes the target (every 1 s here) and reports it up.
    await waitFor(
      'the scrape target to be up in /api/v1/targets',
      async () => {
        const res = await httpGet(`http://127.0.0.1:${port}/api/v1/targets`);
        const body = JSON.parse(res.body) as {
          data?: { activeTargets?: { labels: Record<string, string>; health: string }[] };
        };
        return body.data?.activeTargets?.find(
          (t) => t.labels['job'] === 'ffrtmp-master' && t.health === 'up',
        );
      },
      20_000,
      250,
    );

    const pid = vm.pid;
    await vm.stop();
    expect(isAlive(pid)).toBe(false);
    expect(pgrep(dir.path)).toEqual([]);
  });
});
