// `framepack generate --from SIDECAR.json` re-runs a directed job and an extension exactly, through
// the real command and a real daemon with the default tiny bundle (issue 17 item 6): the end and
// keyframe images are kept beside the output (`<stem>.end.png`, `<stem>.keyframe-<i>.png`) so the
// re-run needs neither the original files nor the daemon's job-folder copies, and an extension's
// sidecar names its source's absolute path (or the job it continued). Frames are compared by ffmpeg's MD5 of every decoded frame.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../daemon/media/ffmpeg-locate.js';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';

const { dir, image, socketFile, framepack } = await createCliHarness('fp-e2e-from-');

afterAll(async () => {
  if (existsSync(socketFile)) await framepack(['daemon', 'stop']);
  await rm(dir, { recursive: true, force: true });
});

const out = (name: string) => path.join(dir, 'o', name);

/** MD5 of every decoded frame (ffmpeg's md5 muxer over raw video). */
async function framesMd5(file: string): Promise<string> {
  const { ffmpegPath } = await findFfmpeg();
  const { stdout } = await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-']);
  return stdout.trim();
}

/** A 160×120 image unlike the start image (so a re-run without it would differ). */
async function otherImage(file: string, seed: number): Promise<void> {
  await sharp(Buffer.from(Uint8Array.from({ length: 160 * 120 * 3 }, (_, i) => (i * seed + (i >> 7) * 11) % 256)), { raw: { width: 160, height: 120, channels: 3 } }).png().toFile(file);
}

const errors = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('framepack:'));

describe('--from SIDECAR re-runs exactly (e2e, real daemon)', () => {
  it('re-runs a directed job to the same frames after its end and keyframe files are gone', { timeout: 180_000 }, async () => {
    await mkdir(path.join(dir, 'o'));
    const end = path.join(dir, 'end.png');
    const key = path.join(dir, 'key.png');
    await otherImage(end, 7);
    await otherImage(key, 13);
    const first = await framepack(['generate', '--image', image, '--prompt', '[0s: a red ball rolls right] [1.2s: the ball jumps up]', '--prompt-blend', '1',
      '--end-image', end, '--end-strength', '0.8', '--keyframe', `1.3=${key}`, '--seconds', '2.4', '--steps', '2', '--seed', '5', '--no-partials', '--out', out('directed.mp4')]);
    expect({ code: first.code, err: errors(first.stderr) }).toEqual({ code: 0, err: [] });
    const sidecar = JSON.parse(await readFile(out('directed.json'), 'utf8'));
    expect(sidecar).toMatchObject({ endImage: 'directed.end.png', keyframeImages: ['directed.keyframe-0.png'], parameters: { endStrength: 0.8, promptBlend: 1, seed: 5 } });
    expect((await sharp(out('directed.end.png')).metadata())).toMatchObject({ width: sidecar.parameters.bucket.width, height: sidecar.parameters.bucket.height });
    await rm(end);
    await rm(key);

    const again = await framepack(['generate', '--from', out('directed.json'), '--out', out('again.mp4')]);
    expect({ code: again.code, err: errors(again.stderr) }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(await readFile(out('again.json'), 'utf8')).parameters).toMatchObject({ endStrength: 0.8, promptBlend: 1, seed: 5, keyframes: [{ seconds: 1.3 }] });
    expect(await framesMd5(out('again.mp4'))).toBe(await framesMd5(out('directed.mp4')));
    expect(Buffer.compare(await readFile(out('again.latents')), await readFile(out('directed.latents')))).toBe(0);

    // An override acts: without the end image's weight the video differs.
    const weaker = await framepack(['generate', '--from', out('directed.json'), '--end-strength', '0', '--out', out('weaker.mp4')]);
    expect(weaker.code, weaker.stderr).toBe(0);
    expect(await framesMd5(out('weaker.mp4'))).not.toBe(await framesMd5(out('directed.mp4')));
  });

  it('re-runs an extension from its recorded source; a moved source is named with the flag to give', { timeout: 180_000 }, async () => {
    await mkdir(path.join(dir, 'o'), { recursive: true });
    const src = out('src.mp4');
    const made = await framepack(['generate', '--image', image, '--prompt', 'a ball', '--seconds', '1', '--steps', '2', '--no-partials', '--out', src]);
    expect(made.code, made.stderr).toBe(0);
    const ext = await framepack(['generate', '--extend', src, '--prompt', 'the ball keeps rolling', '--seconds', '1', '--steps', '2', '--extend-context', '9', '--no-partials', '--out', out('ext.mp4')]);
    expect(ext.code, ext.stderr).toBe(0);
    expect(JSON.parse(await readFile(out('ext.json'), 'utf8'))).toMatchObject({ extendSource: src, parameters: { extendContext: 9 } });

    const again = await framepack(['generate', '--from', out('ext.json'), '--out', out('ext-again.mp4')]);
    expect({ code: again.code, err: errors(again.stderr) }).toEqual({ code: 0, err: [] });
    expect(await framesMd5(out('ext-again.mp4'))).toBe(await framesMd5(out('ext.mp4')));

    await rename(src, out('moved.mp4'));
    const gone = await framepack(['generate', '--from', out('ext.json'), '--out', out('ext-3.mp4')]);
    expect(gone).toMatchObject({ code: 2, stderr: `framepack: --from: the sidecar is of an extension of ${src}, which no longer exists; give --extend VIDEO with that video\n` });
    const named = await framepack(['generate', '--from', out('ext.json'), '--extend', out('moved.mp4'), '--out', out('ext-4.mp4')]);
    expect({ code: named.code, err: errors(named.stderr) }).toEqual({ code: 0, err: [] });
    expect(await framesMd5(out('ext-4.mp4'))).toBe(await framesMd5(out('ext.mp4')));
  });

  it('re-runs an --extend-job extension from the job id its sidecar records', { timeout: 180_000 }, async () => {
    await mkdir(path.join(dir, 'o'), { recursive: true });
    const made = await framepack(['generate', '--image', image, '--prompt', 'a ball', '--seconds', '1', '--steps', '2', '--no-partials', '--json', '--out', out('base.mp4')]);
    expect(made.code, made.stderr).toBe(0);
    const jobId = ndjson(made.stdout).at(-1)!.jobId as string;
    const ext = await framepack(['generate', '--extend-job', jobId, '--prompt', 'then it bounces', '--seconds', '1', '--steps', '2', '--no-partials', '--out', out('job-ext.mp4')]);
    expect(ext.code, ext.stderr).toBe(0);
    expect(JSON.parse(await readFile(out('job-ext.json'), 'utf8'))).toMatchObject({ extendJob: jobId });
    const again = await framepack(['generate', '--from', out('job-ext.json'), '--out', out('job-ext-again.mp4')]);
    expect({ code: again.code, err: errors(again.stderr) }).toEqual({ code: 0, err: [] });
    expect(await framesMd5(out('job-ext-again.mp4'))).toBe(await framesMd5(out('job-ext.mp4')));
  });
});
