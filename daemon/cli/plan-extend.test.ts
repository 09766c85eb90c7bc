// `framepack plan` for the options of issue 17 items 4–5: the bucket class and an extension's
// source, frames kept, context latents and seam, shown before anything runs.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import sharp from 'sharp';
import { encodeMp4 } from '../media/ffmpeg.js';
import { runPlanCommand } from './plan-command.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const dir = fileTempDir('fp-plan-ext-');
const image = path.join(dir, 'wide.png');
await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } }).png().toFile(image);
const video = path.join(dir, 'clip.mp4');
await encodeMp4({ frames: Array.from({ length: 50 }, (_, t) => new Uint8Array(150 * 100 * 3).fill(t * 4)), width: 150, height: 100, fps: 30, crf: 18, outPath: video });

async function plan(args: string[]): Promise<Record<string, unknown> & { text: string }> {
  let text = '';
  const io = { stdout: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream };
  expect(await runPlanCommand([...args, '--json'], io)).toBe(0);
  const json = JSON.parse(text);
  text = '';
  await runPlanCommand(args, io);
  return { ...json, text };
}

describe('framepack plan: resolution classes and extensions', () => {
  it('shows the exact bucket of another class, marked off-distribution', async () => {
    const p = await plan(['--image', image, '--prompt', 'x', '--resolution', '160']);
    expect(p).toMatchObject({ bucket: { width: 192, height: 128 }, bucketClass: { resolution: 160, native: 80, offDistribution: true } });
    expect(p.text).toContain('bucket    192×128 (W×H) from a 300×200 image, resized to 192×128 and centre-cropped; 160 class (off-distribution: the model was trained on the 80 class)');
  });

  it('shows what an extension keeps, encodes and blends', async () => {
    const p = await plan(['--extend', video, '--prompt', 'x', '--seconds', '1', '--extend-context', '30']);
    // 50 frames; 30 → 29 frames = 8 latents; the seam blends 4·8 − 3 = 29 frames; one section adds 36.
    expect(p).toMatchObject({ mode: 'f1', bucket: { width: 96, height: 64 }, extension: { videoFrames: 50, contextLatents: 8, seamFrames: 29, newFrames: 36 }, totalFrames: 86 });
    expect(p.text).toContain('extend    50 source frames kept, its last 8 latents as context, 29 frames blended at the seam, 36 new frames (F1 order)');
  });
});
