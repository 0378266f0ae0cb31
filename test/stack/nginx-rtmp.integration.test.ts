import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpGet, httpHealth } from '../../src/stack/http-get.js';
import { findNginx, nginxArgs, parseRtmpStat, writeNginxConfig } from '../../src/stack/nginx-rtmp.js';
import { type Component, startComponent } from '../../src/stack/supervisor.js';
import { tempDir } from '../helpers.js';
import { childPids, freePort, isAlive, pgrep, waitFor } from './helpers.js';

// Not skipped when nginx-rtmp is missing: the test fails and says how to install it.
describe('nginx-rtmp under startComponent', () => {
  const dir = tempDir('ffrtmp-nginx-');
  let nginx: Component | undefined;
  let ffmpeg: ChildProcess | undefined;

  afterAll(async () => {
    if (ffmpeg && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
      const gone = new Promise((resolve) => ffmpeg?.once('exit', resolve));
      ffmpeg.kill('SIGKILL');
      await gone;
    }
    await nginx?.stop();
    dir.cleanup();
  });

  it('shows a live stream in /stat while ffmpeg publishes it, and leaves no nginx behind', async () => {
    const found = findNginx();
    if ('missing' in found) throw new Error(found.missing);

    const [rtmpPort, statPort] = [await freePort(), await freePort()];
    const configPath = writeNginxConfig({
      dataDir: dir.path,
      rtmpPort,
      statPort,
      modulePath: found.modulePath,
    });
    nginx = await startComponent({
      name: 'nginx-rtmp',
      command: found.binary,
      args: nginxArgs(dir.path),
      logFile: join(dir.path, 'logs', 'nginx.log'),
      health: httpHealth(`http://127.0.0.1:${statPort}/health`),
      startTimeoutMs: 10_000,
    });
    expect(pgrep(configPath)).toEqual([nginx.pid]);
    const workers = childPids(nginx.pid);
    expect(workers.length).toBeGreaterThanOrEqual(1);

    // Nothing published yet.
    expect(parseRtmpStat((await httpGet(`http://127.0.0.1:${statPort}/stat`)).body).streams).toEqual([]);

    let ffmpegOutput = '';
    ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '300k', '-c:a', 'aac', '-t', '3'],
        ...['-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/teststream`],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    ffmpeg.stderr?.on('data', (c: Buffer) => {
      ffmpegOutput += c.toString();
    });
    const ffmpegExit = new Promise<number | null>((resolve) => ffmpeg?.once('exit', (code) => resolve(code)));
    let ffmpegDone = false;
    void ffmpegExit.then(() => {
      ffmpegDone = true;
    });

    const stream = await waitFor(
      'stream live/teststream with bytes in /stat',
      async () => {
        if (ffmpegDone) throw new Error(`ffmpeg ended before the stream showed in /stat: ${ffmpegOutput}`);
        const { streams } = parseRtmpStat((await httpGet(`http://127.0.0.1:${statPort}/stat`)).body);
        return streams.find((s) => s.app === 'live' && s.name === 'teststream' && s.bytesIn > 0);
      },
      10_000,
    );
    expect(stream.clients).toBeGreaterThanOrEqual(1);

    expect(await ffmpegExit).toBe(0);
    // Once the publisher is gone, the stream leaves /stat.
    await waitFor('stream to leave /stat', async () => {
      const { streams } = parseRtmpStat((await httpGet(`http://127.0.0.1:${statPort}/stat`)).body);
      return streams.some((s) => s.name === 'teststream') ? undefined : true;
    });

    const exit = await nginx.stop();
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(pgrep(configPath)).toEqual([]);
    for (const w of workers) expect(isAlive(w)).toBe(false);
  });
});
