import { defineOptions } from '../../core/config.js';
import { baselineScenario, multiScenario, singleScenario } from '../../core/scenarios.js';
import { leaf } from '../command.js';
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
 * The Quick start's main job: a short standalone benchmark through a local master and agent —
 * the idle node, H.264 and H.265 at 720p30, two concurrent streams and a 3-rung ladder — ending
 * with the results table, the results file and the master's URL. About 45 s.
 */
export const demoCommand = leaf({
  name: 'demo',
  summary: 'A short standalone benchmark: a local master and agent run five scenarios (about 45 s)',
  usage: 'ffrtmp demo [--output-dir ./test_results] [--data-dir ./data/demo]',
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
      default: './data/demo',
      description: 'Database and agent work dir',
    },
  }),
  async run(o, _p, io) {
    const scenarios = [
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
    return runTest(
      {
        outputDir: o.outputDir,
        dataDir: o.dataDir,
        repeat: 1,
        master: undefined,
        node: undefined,
        apiKey: undefined,
        tlsCa: undefined,
        tlsCert: undefined,
        tlsKey: undefined,
      },
      scenarios,
      io,
    );
  },
});
