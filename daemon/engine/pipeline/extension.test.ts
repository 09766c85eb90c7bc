// The extension through the real pipeline on the default model: every job keeps its latents, a job
// continues from them with the original frames kept, and a plain video continues from its encoded
// last frames. Bad sources fail with the flag named.
import { describe, expect, it } from 'vitest';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { probeVideo } from '../../media/ffmpeg.js';
import { readVideoFrames } from '../../media/video-frames.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec } from './job-spec.js';
import { readLatentHistory } from './latent-history-file.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { generateVideo } from './pipeline.js';
import { openSessions } from './sessions.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';

const dir = fileTempDir('fp-extend-');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
const imagePath = path.join(dir, 'start.png');
await sharp(Buffer.from(Uint8Array.from({ length: 150 * 100 * 3 }, (_, i) => (i * 13) % 256)), { raw: { width: 150, height: 100, channels: 3 } }).png().toFile(imagePath);
const spec = (extra: Record<string, unknown> = {}) =>
  resolveJobSpec({ imagePath, prompt: 'a red ball bounces', seconds: 1, steps: 2, ...extra }, bundle.manifest, 'framepack-tiny');

const meanAbs = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('extension', () => {
  const first = path.join(dir, 'first.mp4');

  it('keeps every job\'s final latent history beside its video (float16, 9N + 1 frames)', async () => {
    await generateVideo(spec(), { bundle, sessions, out: first, partials: false });
    const stored = await readLatentHistory(path.join(dir, 'first.latents'));
    expect(stored.header).toMatchObject({ frames: 10, channels: 4, height: 8, width: 12, videoFrames: 37, bucket: { width: 96, height: 64 }, model: 'framepack-tiny', dtype: 'float16' });
    expect((await stat(path.join(dir, 'first.latents'))).size).toBeLessThan(10 * 4 * 8 * 12 * 2 + 400);
  });

  it('--extend-job: continues from the stored latents, the original frames first, in F1 order', async () => {
    const out = path.join(dir, 'second.mp4');
    const events: PipelineEvent[] = [];
    await generateVideo(spec({ extendLatents: path.join(dir, 'first.latents') }), { bundle, sessions, out, partials: false, onEvent: (e) => events.push(e) });
    const probe = await probeVideo(out);
    expect(probe.frames).toBe(37 + 36);
    expect(events.find((e) => e.type === 'job.planned')).toMatchObject({ totalFrames: 73, sections: 1 });
    // No VAE encode of anything: the lead latent and the context are the stored ones.
    expect(events.some((e) => e.type === 'stage' && e.stage === 'vae-encoding' && /encoding the/.test(e.message))).toBe(false);
    const a = await readVideoFrames(first, { width: 96, height: 64 });
    const b = await readVideoFrames(out, { width: 96, height: 64 });
    // Before the seam (37 − 33 = 4 frames) the original frames, up to H.264 re-encoding.
    for (let t = 0; t < 4; t++) expect(meanAbs(a.frames[t]!, b.frames[t]!)).toBeLessThan(3);
    const stored = await readLatentHistory(path.join(dir, 'second.latents'));
    expect(stored.header.frames).toBe(10 + 9);
    expect(stored.header.videoFrames).toBe(73);
    const sidecar = JSON.parse(await readFile(path.join(dir, 'second.json'), 'utf8'));
    expect(sidecar.parameters).toMatchObject({ mode: 'f1', extendLatents: 'first.latents', extension: { contextLatents: 10, videoFrames: 37, seamFrames: 33, newFrames: 36 } });
  });

  it('--extend VIDEO: encodes the video\'s last frames (context rounded to 1 + 4k) and continues it', async () => {
    const out = path.join(dir, 'third.mp4');
    const events: PipelineEvent[] = [];
    await generateVideo(spec({ extendVideo: first, extendContext: 20, seconds: 2 }), { bundle, sessions, out, partials: false, onEvent: (e) => events.push(e) });
    expect(events).toContainEqual(expect.objectContaining({ type: 'stage', stage: 'vae-encoding', message: 'encoding the video\'s last 17 frames → 5 latents' }));
    // 2 s = 2 sections; the seam blends 4·5 − 3 = 17 frames: 37 + (4·14 − 3 − 17) + 36.
    expect((await probeVideo(out)).frames).toBe(37 + 36 + 36);
  });

  it('refuses what it cannot continue, naming the flag', async () => {
    await expect(generateVideo(spec({ extendVideo: first, extendContext: 40 }), { bundle, sessions, out: path.join(dir, 'x.mp4') })).rejects.toThrow('--extend-context is 40 frames but the video has only 37');
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, 'not a video');
    await expect(generateVideo(spec({ extendVideo: junk }), { bundle, sessions, out: path.join(dir, 'y.mp4') })).rejects.toThrow(/^--extend cannot read the video .*junk\.mp4/);
    await expect(generateVideo(spec({ extendLatents: path.join(dir, 'none.latents') }), { bundle, sessions, out: path.join(dir, 'z.mp4') })).rejects.toThrow(/^--extend-job has no usable stored latents: cannot read .*none\.latents: ENOENT/);
    expect(() => spec({ extendVideo: first, mode: 'inverted' })).toThrow('--mode must be f1 for an extension');
  });
});
