// MagCache over the socket (issue 18): a `cache: 'mag'` job on the calibrated default model runs
// and records the cache in its sidecar; on a bundle without magcache.json the submit is refused
// (INVALID_PARAMS on `cache`, naming the command), and the daemon and the queue stay as they were.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectEvents, startDaemon, tempBase, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const base = tempBase();
const modelsDir = path.join(base, 'models');
let d: DaemonProcess;
let image: string;
beforeAll(async () => {
  // The default bundle under another name, without its calibration.
  mkdirSync(modelsDir, { recursive: true });
  const copy = path.join(modelsDir, 'tiny-uncalibrated');
  cpSync(path.resolve(import.meta.dirname, '../../models/framepack-tiny'), copy, { recursive: true });
  rmSync(path.join(copy, 'magcache.json'));
  const manifest = JSON.parse(readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
  writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, name: 'tiny-uncalibrated' }));
  d = await startDaemon({ base, env: { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_MODELS_DIR: modelsDir } });
  image = path.join(d.base, 'start.png');
  await sharp(Buffer.alloc(96 * 64 * 3, 120), { raw: { width: 96, height: 64, channels: 3 } }).png().toFile(image);
});
afterAll(async () => d?.cleanup());

describe('MagCache through the daemon', () => {
  it('refuses mag on an uncalibrated bundle at submit, then runs a mag job on the calibrated default', async () => {
    const c = await d.client();
    await expect(c.call('jobs.submit', { image, prompt: 'p', seconds: 1, steps: 4, cache: 'mag', model: 'tiny-uncalibrated' })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringContaining('run `framepack models calibrate tiny-uncalibrated` once'),
      detail: { issues: [{ path: ['cache'] }] },
    });
    expect(await c.call('jobs.list', {})).toMatchObject({ jobs: [] });

    const col = await collectEvents(c);
    const { jobId } = await c.call('jobs.submit', { image, prompt: 'p', seconds: 1, steps: 8, cache: 'mag' });
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 120_000);
    const [term] = terminalsOf(col.events, jobId);
    expect(term, JSON.stringify(term)).toMatchObject({ event: 'job.succeeded' });
    const out = (term!.payload as { outputPath: string }).outputPath;
    const sidecar = JSON.parse(readFileSync(out.replace(/\.mp4$/, '.json'), 'utf8'));
    expect(sidecar.parameters).toMatchObject({ cache: 'mag', magcacheMaxSkips: 2, magcacheCalibration: { steps: 25 } });
  });
});
