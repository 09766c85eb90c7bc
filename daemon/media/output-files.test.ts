import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from './ffmpeg.js';
import { createJobOutputs, jobStem, OUTPUT_SCHEMA } from './output-files.js';
import { videoToRgbFrames, type PixelVideo } from './pixels.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fp-outputs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const W = 32;
const H = 48;
const encoding = { width: W, height: H, fps: 30, crf: 16, preset: 'veryfast' };
const parameters = { prompt: 'The girl dances gracefully', seed: 31337, seconds: 1, steps: 25, distilledCfg: 10, bucket: [H, W] };

/** A decoded-style video (float [1,3,T,H,W]) that fades from black to white. */
function fade(frames: number): PixelVideo {
  const plane = W * H;
  const data = new Float32Array(3 * frames * plane);
  for (let c = 0; c < 3; c++) for (let t = 0; t < frames; t++) data.fill(-1 + (2 * t) / Math.max(1, frames - 1), (c * frames + t) * plane, (c * frames + t + 1) * plane);
  return { frames, height: H, width: W, data };
}

describe('jobStem', () => {
  it('is yymmdd_HHMMSS_mmm_seed<seed> in local time, like the official generate_timestamp()', () => {
    expect(jobStem(new Date(2026, 10, 28, 3, 4, 5, 67), 31337)).toBe('261128_030405_067_seed31337');
    expect(jobStem(new Date(2031, 0, 2, 23, 59, 58, 999), 0)).toBe('310102_235958_999_seed0');
    expect(() => jobStem(new Date(), 1.5)).toThrow(/seed must be an integer/);
  });
});

describe('createJobOutputs', () => {
  it('claims a unique stem when two jobs share the millisecond and the seed', async () => {
    const dir = path.join(root, 'clash');
    const startedAt = new Date(2026, 0, 1, 0, 0, 0, 0);
    const a = await createJobOutputs(dir, { seed: 7, startedAt });
    const b = await createJobOutputs(dir, { seed: 7, startedAt });
    expect(a.paths.stem).toBe('260101_000000_000_seed7');
    expect(b.paths.stem).toBe('260101_000000_000_seed7-2');
    expect(b.paths.videoPath).toBe(path.join(dir, '260101_000000_000_seed7-2.mp4'));
    expect(b.partialPath(3)).toBe(path.join(dir, '260101_000000_000_seed7-2', 'partial-3.mp4'));
  });
});

describe('JobOutputs: a whole job', () => {
  it('writes the start image, a partial per section, the final MP4 and its sidecar', async () => {
    const dir = path.join(root, 'job');
    const outputs = await createJobOutputs(dir, { seed: 31337, startedAt: new Date(2026, 10, 28, 3, 0, 0, 1) });
    const stem = outputs.paths.stem;

    const image = { width: W, height: H, rgb: new Uint8Array(W * H * 3).fill(128) };
    await outputs.writeInputImage(image);
    expect((await sharp(outputs.paths.inputImagePath).metadata()).width).toBe(W);

    const p1 = await outputs.writePartial(1, videoToRgbFrames(fade(33)), encoding, parameters);
    const p2 = await outputs.writePartial(2, videoToRgbFrames(fade(69)), encoding, parameters);
    expect(p1.probe.frames).toBe(33);
    expect(p2.probe.frames).toBe(69);
    expect(await outputs.listPartials()).toEqual([outputs.partialPath(1), outputs.partialPath(2)]);
    const partialComment = JSON.parse((await probeVideo(outputs.partialPath(2))).tags.comment!) as Record<string, unknown>;
    expect(partialComment).toEqual({ schema: OUTPUT_SCHEMA, partial: true, section: 2, parameters });

    const { video, sidecarPath } = await outputs.writeFinal(videoToRgbFrames(fade(73)), encoding, parameters);
    expect(video.path).toBe(path.join(dir, `${stem}.mp4`));
    expect(sidecarPath).toBe(path.join(dir, `${stem}.json`));
    const probe = await probeVideo(video.path);
    expect(probe).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: W, height: H, frames: 73, fps: 30 });
    expect(probe.tags.title).toBe(`FramePack ${stem}`);
    expect(JSON.parse(probe.tags.comment!)).toEqual({ schema: OUTPUT_SCHEMA, parameters });

    const sidecar = JSON.parse(await readFile(sidecarPath, 'utf8')) as {
      schema: string;
      parameters: unknown;
      video: string;
      inputImage: string;
      partials: string[];
      encoded: Record<string, unknown> & { ffmpeg: { source: string } };
    };
    expect(sidecar.schema).toBe(OUTPUT_SCHEMA);
    expect(sidecar.parameters).toEqual(parameters);
    expect(sidecar.video).toBe(`${stem}.mp4`);
    expect(sidecar.inputImage).toBe(`${stem}.png`);
    expect(sidecar.partials).toEqual([path.join(stem, 'partial-1.mp4'), path.join(stem, 'partial-2.mp4')]);
    expect(sidecar.encoded).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: W, height: H, frames: 73, fps: 30, crf: 16, preset: 'veryfast' });
    expect(['system', 'npm', 'env']).toContain(sidecar.encoded.ffmpeg.source);

    // Nothing but the outputs: no temp files left beside them.
    expect((await readdir(dir)).sort()).toEqual([stem, `${stem}.json`, `${stem}.mp4`, `${stem}.png`].sort());
    expect((await readdir(outputs.paths.partialsDir)).sort()).toEqual(['partial-1.mp4', 'partial-2.mp4']);

    await outputs.removePartials();
    expect(await outputs.listPartials()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual([`${stem}.json`, `${stem}.mp4`, `${stem}.png`].sort());
  });

  it('a cancelled final encode leaves the previous partial and no final video or sidecar', async () => {
    const dir = path.join(root, 'cancelled');
    const outputs = await createJobOutputs(dir, { seed: 1 });
    await outputs.writePartial(1, videoToRgbFrames(fade(9)), encoding, parameters);
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      for (const f of videoToRgbFrames(fade(500))) {
        await new Promise((r) => setTimeout(r, 10));
        yield f;
      }
    }
    setTimeout(() => controller.abort(), 100);
    await expect(outputs.writeFinal(slow(), encoding, parameters, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readdir(dir)).toEqual([outputs.paths.stem]);
    expect(await outputs.listPartials()).toEqual([outputs.partialPath(1)]);
  });

  it('rewriting the final video replaces it atomically', async () => {
    const dir = path.join(root, 'rewrite');
    const outputs = await createJobOutputs(dir, { seed: 2 });
    await outputs.writeFinal(videoToRgbFrames(fade(5)), encoding, parameters);
    await outputs.writeFinal(videoToRgbFrames(fade(9)), encoding, { ...parameters, seconds: 2 });
    expect((await probeVideo(outputs.paths.videoPath)).frames).toBe(9);
    const sidecar = JSON.parse(await readFile(outputs.paths.sidecarPath, 'utf8')) as { parameters: { seconds: number } };
    expect(sidecar.parameters.seconds).toBe(2);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
