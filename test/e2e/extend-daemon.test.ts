// Extension, resolution classes and --from through the real daemon with the default model, as a
// user runs them (bin/framepack.js on isolated XDG dirs): a job keeps its latents; --extend-job
// continues it with the original frames first; --extend continues any video; bad sources get one
// clear error at submit and the daemon stays up; --resolution changes the bucket (shown by plan
// first); --from SIDECAR re-runs a job to the same frames.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeVideo } from '../../daemon/media/ffmpeg.js';
import { readVideoFrames } from '../../daemon/media/video-frames.js';
import { readLatentHistory } from '../../daemon/engine/pipeline/latent-history-file.js';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';

const { dir, image, socketFile, framepack } = await createCliHarness('fp-e2e-extend-');

afterAll(async () => {
  if (existsSync(socketFile)) await framepack(['daemon', 'stop']);
  await rm(dir, { recursive: true, force: true });
});

const base = ['--prompt', 'a red ball bounces', '--seconds', '1', '--steps', '2', '--no-partials'];
const out = (name: string) => path.join(dir, 'o', name);

describe('extension, resolution and --from through the daemon (e2e)', () => {
  it('--extend-job and --extend continue videos; bad sources are refused at submit', { timeout: 120_000 }, async () => {
    await mkdir(path.join(dir, 'o'));
    const first = await framepack(['generate', '--image', image, ...base, '--json', '--out', out('first.mp4')]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const jobId = ndjson(first.stdout).at(-1)!.jobId as string;
    expect((await readLatentHistory(out('first.latents'))).header).toMatchObject({ frames: 10, videoFrames: 37 });

    const ext = await framepack(['generate', '--extend-job', jobId, ...base, '--json', '--out', out('ext.mp4')]);
    expect({ code: ext.code, stderr: ext.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ndjson(ext.stdout).at(-1)).toMatchObject({ type: 'job.succeeded', frames: 73 });
    const shown = JSON.parse((await framepack(['jobs', 'show', ndjson(ext.stdout).at(-1)!.jobId as string, '--json'])).stdout);
    expect(shown.spec).toMatchObject({ extendJob: jobId, mode: 'f1' });
    expect(shown.spec.image).toBeUndefined();
    const a = await readVideoFrames(out('first.mp4'), { width: 96, height: 64 });
    const b = await readVideoFrames(out('ext.mp4'), { width: 96, height: 64 });
    const diff = (x: Uint8Array, y: Uint8Array) => x.reduce((s, v, i) => s + Math.abs(v - y[i]!), 0) / x.length;
    expect(diff(a.frames[0]!, b.frames[0]!)).toBeLessThan(3);

    const vid = await framepack(['generate', '--extend', out('ext.mp4'), '--extend-context', '9', ...base, '--out', out('vid.mp4')]);
    expect({ code: vid.code, stderr: vid.stderr.split('\n').filter((l) => l.startsWith('framepack:')) }).toEqual({ code: 0, stderr: [] });
    // 73 source frames, the seam blends 4·3 − 3 = 9, one section adds 4·12 − 3 − 9 = 36.
    expect((await probeVideo(out('vid.mp4'))).frames).toBe(73 + 36);

    // One clear error each, at submit (exit 2), and the daemon keeps serving.
    const tooMuch = await framepack(['generate', '--extend', out('first.mp4'), '--extend-context', '60', ...base, '--out', out('x.mp4')]);
    expect(tooMuch.code).toBe(2);
    expect(tooMuch.stderr).toContain('framepack: --extend-context is 60 frames but the video has only 37');
    await writeFile(path.join(dir, 'junk.mp4'), 'not a video');
    const junk = await framepack(['generate', '--extend', path.join(dir, 'junk.mp4'), ...base, '--out', out('y.mp4')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/framepack: --extend cannot read the video .*junk\.mp4/);
    const unknown = await framepack(['generate', '--extend-job', 'nosuchjob', ...base, '--out', out('z.mp4')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("framepack: --extend-job no job 'nosuchjob'");
    await rm(out('first.latents'));
    const noLatents = await framepack(['generate', '--extend-job', jobId, ...base, '--out', out('w.mp4')]);
    expect(noLatents.code).toBe(2);
    expect(noLatents.stderr).toContain(`framepack: --extend-job job ${jobId} has no stored latents`);
    expect((await framepack(['jobs', '--json'])).code).toBe(0);
  });

  it('--resolution picks another bucket class (plan shows it first); --from SIDECAR re-runs to the same frames', { timeout: 120_000 }, async () => {
    const plan = await framepack(['plan', '--image', image, '--prompt', 'x', '--resolution', '160', '--json']);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ bucket: { width: 192, height: 128 }, bucketClass: { resolution: 160, native: 80, offDistribution: true } });
    const big = await framepack(['generate', '--image', image, ...base, '--resolution', '160', '--seed', '7', '--out', out('big.mp4')]);
    expect(big.code).toBe(0);
    expect(await probeVideo(out('big.mp4'))).toMatchObject({ width: 192, height: 128, frames: 37 });
    const sidecar = JSON.parse(await readFile(out('big.json'), 'utf8'));
    expect(sidecar.parameters).toMatchObject({ seed: 7, resolution: 160, bucketClass: { offDistribution: true } });

    const again = await framepack(['generate', '--from', out('big.json'), '--out', out('again.mp4')]);
    expect({ code: again.code, err: again.stderr.split('\n').filter((l) => l.startsWith('framepack:')) }).toEqual({ code: 0, err: [] });
    const x = await readVideoFrames(out('big.mp4'), { width: 192, height: 128 });
    const y = await readVideoFrames(out('again.mp4'), { width: 192, height: 128 });
    expect(y.frames.length).toBe(x.frames.length);
    x.frames.forEach((f, t) => expect(Buffer.compare(Buffer.from(f), Buffer.from(y.frames[t]!))).toBe(0));
    expect(Buffer.compare(await readFile(out('big.latents')), await readFile(out('again.latents')))).toBe(0);

    // An override changes only what it names: another seed, another video.
    const other = await framepack(['generate', '--from', out('big.json'), '--seed', '8', '--out', out('seed8.mp4')]);
    expect(other.code).toBe(0);
    expect(JSON.parse(await readFile(out('seed8.json'), 'utf8')).parameters).toMatchObject({ seed: 8, resolution: 160, steps: 2 });
    expect(Buffer.compare(await readFile(out('big.latents')), await readFile(out('seed8.latents')))).not.toBe(0);
  });
});
