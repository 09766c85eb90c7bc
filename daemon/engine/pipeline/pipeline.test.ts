import { describe, expect, it } from 'vitest';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { probeVideo } from '../../media/ffmpeg.js';
import { InputImageError } from '../../media/image-input.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec } from './job-spec.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { generateVideo } from './pipeline.js';
import { openSessions } from './sessions.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const dir = fileTempDir('fp-pipeline-');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
const imagePath = path.join(dir, 'start.png');
// 150×100 (W×H): resized to 96×64 exactly (aspect 1.5, the default bucket).
await sharp(Buffer.from(Uint8Array.from({ length: 150 * 100 * 3 }, (_, i) => (i * 13) % 256)), { raw: { width: 150, height: 100, channels: 3 } }).png().toFile(imagePath);
const spec = (extra: Record<string, unknown> = {}) =>
  resolveJobSpec({ imagePath, prompt: 'a red ball bounces', seconds: 1, steps: 2, ...extra }, bundle.manifest, 'framepack-tiny');

describe('generateVideo', () => {
  it('writes the MP4, partials, start image and sidecar and reports each stage', async () => {
    const events: PipelineEvent[] = [];
    const out = path.join(dir, 'one', 'clip.mp4');
    const result = await generateVideo(spec(), { bundle, sessions, out, onEvent: (e) => events.push(e) });
    expect(result).toBe(out);
    const probe = await probeVideo(out);
    expect(probe).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 96, height: 64, frames: 37, fps: 30 });
    expect(JSON.parse(probe.tags.comment!).parameters).toMatchObject({ seed: 31337, steps: 2, bucket: { width: 96, height: 64 }, image: 'start.png' });
    const sidecar = JSON.parse(await readFile(path.join(dir, 'one', 'clip.json'), 'utf8'));
    expect(sidecar.encoded.frames).toBe(37);
    expect(sidecar.partials).toEqual(['clip/partial-1.mp4']);
    expect((await stat(path.join(dir, 'one', 'clip.png'))).size).toBeGreaterThan(0);
    // The final-frame chunk the video was assembled from is gone with the job (nothing resumes it).
    expect(await readdir(path.join(dir, 'one', 'clip'))).toEqual(['partial-1.mp4']);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('stage');
    expect(types.indexOf('job.planned')).toBeLessThan(types.indexOf('section.started'));
    expect(types.at(-1)).toBe('job.succeeded');
    expect(types.filter((t) => t === 'job.succeeded' || t === 'job.failed')).toHaveLength(1);
    const done = events.find((e) => e.type === 'section.done');
    expect(done).toMatchObject({ section: 1, sections: 1, frames: 37, partialVideo: path.join(dir, 'one', 'clip', 'partial-1.mp4') });
    const planned = events.find((e) => e.type === 'job.planned');
    expect(planned).toMatchObject({ bucket: { width: 96, height: 64 }, sections: 1, totalFrames: 37 });
  });

  it('ends with job.failed naming a bad image, before loading any model', async () => {
    const events: PipelineEvent[] = [];
    await expect(generateVideo(spec({ imagePath: path.join(dir, 'missing.png') }), { out: dir, onEvent: (e) => events.push(e) }))
      .rejects.toBeInstanceOf(InputImageError);
    expect(events.at(-1)).toEqual({ type: 'job.failed', error: `input image ${path.join(dir, 'missing.png')}: file not found` });
    expect(events.some((e) => e.type === 'stage' && e.stage === 'loading-models')).toBe(false);
  });

  it('is cancelled by its signal and reports job.failed', async () => {
    const controller = new AbortController();
    const events: PipelineEvent[] = [];
    const job = generateVideo(spec({ steps: 4 }), {
      bundle, sessions, out: path.join(dir, 'cancel'), partials: false, signal: controller.signal,
      onEvent: (e) => { events.push(e); if (e.type === 'step') controller.abort(new DOMException('cancelled', 'AbortError')); },
    });
    await expect(job).rejects.toThrow('cancelled');
    expect(events.at(-1)).toEqual({ type: 'job.failed', error: 'cancelled' });
  });

  it('removes its final-frame chunks when cancelled after a section (no checkpoint owner: nothing resumes)', async () => {
    const controller = new AbortController();
    const out = path.join(dir, 'after-section', 'clip.mp4');
    const job = generateVideo(spec({ seconds: 2.4, steps: 1, mode: 'f1' }), {
      bundle, sessions, out, partials: false, signal: controller.signal,
      onEvent: (e) => { if (e.type === 'section.done') controller.abort(new DOMException('cancelled', 'AbortError')); },
    });
    await expect(job).rejects.toThrow('cancelled');
    expect(await readdir(path.join(dir, 'after-section', 'clip'))).toEqual([]);
  });
});
