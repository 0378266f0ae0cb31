import { resolve } from 'node:path';
import type { JobJson, ResultJson } from '../../core/contract/schemas.js';
import { defineOptions } from '../../core/config.js';
import { startEmbedded } from '../../runner/embedded.js';
import { formatTable } from '../client-options.js';
import { leaf } from '../command.js';

/** The Quick start's short standalone run: three scenarios through a local master and agent. */
const SCENARIOS = [
  { scenario: 'baseline', parameters: { type: 'baseline', duration: 3 } },
  {
    scenario: 'h264-720p30-2500k',
    parameters: {
      duration: 5,
      resolution: '1280x720',
      fps: 30,
      bitrate: '2500k',
      encoder: 'h264',
      preset: 'veryfast',
    },
  },
  {
    scenario: 'h265-720p30-2500k',
    parameters: {
      duration: 5,
      resolution: '1280x720',
      fps: 30,
      bitrate: '2500k',
      encoder: 'h265',
      preset: 'veryfast',
    },
  },
  {
    scenario: 'h264-ladder-3',
    parameters: {
      duration: 5,
      encoder: 'h264',
      preset: 'veryfast',
      outputs: [
        { resolution: '1280x720', fps: 30, bitrate: '2500k' },
        { resolution: '854x480', fps: 30, bitrate: '1200k' },
        { resolution: '640x360', fps: 30, bitrate: '700k' },
      ],
    },
  },
] as const;

const fmt = (v: unknown, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '-');

export const demoCommand = leaf({
  name: 'demo',
  summary: 'A short standalone benchmark: a local master and agent run a few scenarios (about 30 s)',
  usage: 'ffrtmp demo [--data-dir ./data/demo] [--port 8080]',
  options: defineOptions({
    dataDir: {
      flag: 'data-dir',
      type: 'string',
      default: './data/demo',
      description: 'Database, agent work dir',
    },
    port: {
      flag: 'port',
      type: 'int',
      default: 8080,
      min: 0,
      max: 65535,
      description: 'Master port (0: any free port)',
    },
    json: { flag: 'json', type: 'bool', default: false, description: 'Print the results as JSON' },
  }),
  async run(o, _p, io) {
    const quiet = (level: string, msg: string) => {
      if (level !== 'info') io.err(`${level}: ${msg}`);
    };
    io.err(`starting a local master on port ${o.port} and an agent (data in ${resolve(o.dataDir)})…`);
    const embedded = await startEmbedded({ dataDir: resolve(o.dataDir), port: o.port, log: quiet });
    const { master } = embedded;
    const store = master.store;
    try {
      const runId = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const jobs: JobJson[] = [];
      for (const s of SCENARIOS) {
        const res = await master.master.app.inject({
          method: 'POST',
          url: '/jobs',
          payload: { ...s, run_id: runId },
        });
        jobs.push(res.json() as JobJson);
      }
      const results: ResultJson[] = [];
      for (const [i, job] of jobs.entries()) {
        io.err(`[${i + 1}/${jobs.length}] ${job.scenario}…`);
        for (;;) {
          const current = await store.getJob(job.id);
          if (current.status === 'completed' || current.status === 'failed') break;
          if (io.signal.aborted) return 130;
          await new Promise((r) => setTimeout(r, 250));
        }
        const res = await master.master.app.inject({ method: 'GET', url: `/results/${job.id}` });
        results.push(res.json() as ResultJson);
      }
      if (o.json) {
        io.out(JSON.stringify({ run_id: runId, results }, null, 2));
      } else {
        io.out(
          formatTable(
            ['SCENARIO', 'STATUS', 'FRAMES', 'FPS', 'SPEED', 'CPU s', 'CORES', 'KBPS', 'ERROR'],
            results.map((r, i) => [
              jobs[i]?.scenario ?? r.job_id,
              r.status,
              fmt(r.metrics.frames_encoded, 0),
              fmt(r.metrics.encoding_fps),
              fmt(r.metrics.speed, 2),
              fmt(r.metrics.cpu_seconds, 2),
              fmt(r.metrics.cpu_cores_avg, 2),
              fmt(r.metrics.avg_bitrate_kbps, 0),
              r.error ?? '',
            ]),
          ),
        );
      }
      io.out(
        `\nmaster API: ${master.url}  (jobs: ${master.url}/jobs?run_id=${runId}, results: ${master.url}/results?run_id=${runId})`,
      );
      return results.every((r) => r.status === 'completed') ? 0 : 1;
    } finally {
      await embedded.stop({ force: io.signal.aborted });
    }
  },
});
