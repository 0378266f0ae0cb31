import { resolve } from 'node:path';
import { formatReportTable } from '../../analysis/format.js';
import { loadPricing } from '../../analysis/load.js';
import { analyzeRecords } from '../../core/analysis/report.js';
import { defineOptions } from '../../core/config.js';
import { baselineScenario, multiScenario, singleScenario } from '../../core/scenarios.js';
import { readUpState } from '../../stack/up.js';
import { leaf } from '../command.js';
import { startDetachedUp, upLogPath } from '../detach.js';
import { runTest } from './test.js';

const DEMO = {
  duration: 5,
  resolution: '1280x720',
  fps: 30,
  encoder: 'h264',
  preset: 'veryfast',
  stabilization: 1,
  cooldown: 1,
  quality: false,
};

/**
 * The Quick start's main job: a short standalone benchmark — the idle node, H.264 and H.265 at
 * 720p30, two concurrent streams and a 3-rung ladder — through `ffrtmp up` (started in the
 * background when it is not running, and left running so the dashboard stays up), ending with the
 * results, their analysis and the dashboard URL. About a minute.
 */
export const demoCommand = leaf({
  name: 'demo',
  summary:
    'A short standalone benchmark through ffrtmp up: five scenarios, their analysis and the dashboard URL',
  usage: 'ffrtmp demo [--output-dir ./test_results] [--data-dir ./data] [--port 8080] [--no-stack]',
  options: defineOptions({
    outputDir: {
      flag: 'output-dir',
      type: 'string',
      default: './test_results',
      description: 'Where the results file goes',
    },
    dataDir: {
      flag: 'data-dir',
      type: 'string',
      default: './data',
      env: 'FFRTMP_DATA_DIR',
      description: 'The data dir of ffrtmp up (database, logs, generated configs)',
    },
    port: {
      flag: 'port',
      type: 'int',
      default: 8080,
      min: 0,
      max: 65535,
      env: 'FFRTMP_PORT',
      description: 'Master and dashboard port, when the demo starts ffrtmp up',
    },
    stack: {
      flag: 'stack',
      type: 'bool',
      default: true,
      description: 'Start nginx-rtmp, VictoriaMetrics, vmalert and Alertmanager too (when installed)',
    },
    metricsPort: {
      flag: 'metrics-port',
      type: 'int',
      default: 9500,
      min: 0,
      max: 65535,
      description: "The local agent's /metrics port, when the demo starts ffrtmp up (0: off)",
    },
  }),
  async run(o, _p, io) {
    const dataDir = resolve(o.dataDir);
    let up = readUpState(dataDir);
    if (up) io.err(`using the running ffrtmp up of ${dataDir}: ${up.master_url}`);
    else {
      io.err(`starting ffrtmp up in the background (log: ${upLogPath(dataDir)})…`);
      up = await startDetachedUp(dataDir, [
        '--port',
        String(o.port),
        o.stack ? '--stack' : '--no-stack',
        '--metrics-port',
        String(o.metricsPort),
      ]);
    }
    const masterUrl = up.master_url;
    return runTest(
      {
        outputDir: o.outputDir,
        dataDir,
        repeat: 1,
        master: masterUrl,
        node: undefined,
        apiKey: undefined,
        tlsCa: undefined,
        tlsCert: undefined,
        tlsKey: undefined,
      },
      demoScenarios(),
      io,
      (outcome) => {
        if (outcome.records.length > 0)
          io.out(
            `\n${formatReportTable(analyzeRecords(outcome.records, { pricing: loadPricing(undefined, undefined) }))}`,
          );
        io.out(
          [
            '',
            `dashboard: ${masterUrl}/#/runs/${outcome.runId}`,
            `ffrtmp up keeps running (log: ${upLogPath(dataDir)}); stop it with: ffrtmp down --data-dir ${o.dataDir}`,
          ].join('\n'),
        );
      },
    );
  },
});

function demoScenarios() {
  return [
    baselineScenario(3, 'baseline'),
    singleScenario({ name: 'h264_720p30_2500k', bitrate: '2500k' }, DEMO),
    singleScenario({ name: 'h265_720p30_2500k', bitrate: '2500k', encoder: 'h265' }, DEMO),
    multiScenario(
      { name: 'h264_2x_360p30_mixed', count: 2, bitrates: ['600k', '1200k'], resolution: '640x360' },
      DEMO,
    ),
    singleScenario(
      {
        name: 'h264_ladder_3',
        bitrate: '2500k',
        outputs: [
          { resolution: '1280x720', fps: 30, bitrate: '2500k' },
          { resolution: '854x480', fps: 30, bitrate: '1200k' },
          { resolution: '640x360', fps: 30, bitrate: '700k' },
        ],
      },
      DEMO,
    ),
  ];
}
