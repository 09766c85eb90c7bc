// The real `framepack` command (bin/framepack.js → pinned Node + tsx → daemon/cli/main.ts) as a
// child process, with the default tiny bundle: plan numbers from FRAMEPACK.md §6.2/§8.4, a short
// generate in each mode (MP4 checked with ffprobe: 36·N + 1 frames at 30 fps; sidecar, NDJSON),
// bit-identical output for the same seed, and
// one-line errors with exit code 2 for bad input (before any daemon starts). The in-process cases
// pass --local; the daemon case auto-starts a daemon on an isolated XDG runtime/data dir.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeVideo } from '../../daemon/media/ffmpeg.js';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';

const { dir, image, socketFile, framepack } = await createCliHarness('fp-e2e-');

// Never leave a daemon or the temp folder behind, even when an assertion failed half-way.
afterAll(async () => {
  if (existsSync(socketFile)) await framepack(['daemon', 'stop']);
  await rm(dir, { recursive: true, force: true });
});

describe('framepack (e2e)', () => {
  it('plan --json: 5 s is 4 inverted sections, 145 frames, the official indices and σ schedule', async () => {
    const r = await framepack(['plan', '--image', image, '--prompt', 'a ball', '--seconds', '5', '--shift', '7', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.bucket).toEqual({ width: 96, height: 64 });
    expect(p.sectionCount).toBe(4);
    expect(p.totalFrames).toBe(145);
    expect(p.durationSeconds).toBeCloseTo(145 / 30, 12);
    expect(p.sections.map((s: { latentPadding: number }) => s.latentPadding)).toEqual([3, 2, 1, 0]);
    const r4 = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    // FRAMEPACK.md §8.4 worked example.
    expect(p.sections.map((s: { indices: unknown }) => s.indices)).toEqual([
      { latent: r4(28, 9), clean: [0, 37], clean2x: [38, 39], clean4x: r4(40, 16), blank: r4(1, 27) },
      { latent: r4(19, 9), clean: [0, 28], clean2x: [29, 30], clean4x: r4(31, 16), blank: r4(1, 18) },
      { latent: r4(10, 9), clean: [0, 19], clean2x: [20, 21], clean4x: r4(22, 16), blank: r4(1, 9) },
      { latent: r4(1, 9), clean: [0, 10], clean2x: [11, 12], clean4x: r4(13, 16), blank: [] },
    ]);
    expect(p.sections.map((s: { decode: { totalFrames: number } }) => s.decode.totalFrames)).toEqual([33, 69, 105, 145]);
    expect(p.displayOrder).toEqual([3, 2, 1, 0]);
    // FRAMEPACK.md §6.2 (shift 7): σ and the bf16 timesteps the transformer sees.
    expect(p.sigmas).toHaveLength(26);
    expect(p.sigmas[1]).toBeCloseTo(0.994083, 6);
    expect(p.sigmas[13]).toBeCloseTo(0.865979, 6);
    expect(p.sigmas[25]).toBe(0);
    expect(p.timesteps.slice(0, 6)).toEqual([1000, 996, 988, 980, 972, 964]);
    expect(p.timesteps.at(-1)).toBe(226);
    expect(p.sections[0].tokens).toMatchObject({ noisy: 216, clean: 48, clean2x: 6, clean4x: 8, imageSide: 278 });
  });

  it('generate --json writes an MP4 of 36·N + 1 frames and the same seed gives the same bytes', async () => {
    const args = ['generate', '--image', image, '--prompt', 'a red ball bounces', '--seconds', '2.4', '--steps', '3', '--json', '--local'];
    const [a, b] = [path.join(dir, 'a', 'clip.mp4'), path.join(dir, 'b', 'clip.mp4')];
    const first = await framepack([...args, '--out', a]);
    expect(first.code).toBe(0);
    const events = ndjson(first.stdout);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'job.succeeded', output: a, frames: 73 });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'section.done').map((e) => e.frames)).toEqual([33, 73]);
    const probe = await probeVideo(a);
    expect(probe).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 96, height: 64, frames: 73, fps: 30 });
    const sidecar = JSON.parse(await readFile(path.join(dir, 'a', 'clip.json'), 'utf8'));
    expect(sidecar.parameters).toMatchObject({ seed: 31337, steps: 3, seconds: 2.4, sampler: 'unipc', mode: 'inverted' });
    expect(sidecar.partials).toEqual(['clip/partial-1.mp4', 'clip/partial-2.mp4']);

    const second = await framepack([...args, '--out', b]);
    expect(ndjson(second.stdout).at(-1)).toMatchObject({ type: 'job.succeeded', output: b });
    expect((await readFile(b)).equals(await readFile(a))).toBe(true);
  });

  it('generate --mode f1 and --mode vanilla: 36·N + 1 frames at 30 fps, forward section files, different videos', async () => {
    const run = (mode: string) => framepack(['generate', '--image', image, '--prompt', 'a red ball bounces', '--seconds', '2.4', '--steps', '2', '--mode', mode, '--json', '--local', '--out', path.join(dir, mode, 'clip.mp4')]);
    const [f1, vanilla] = await Promise.all([run('f1'), run('vanilla')]);
    for (const [mode, r] of [['f1', f1], ['vanilla', vanilla]] as const) {
      expect({ mode, code: r.code, stderr: r.stderr }).toEqual({ mode, code: 0, stderr: '' });
      const events = ndjson(r.stdout);
      const out = path.join(dir, mode, 'clip.mp4');
      expect(events.at(-1)).toMatchObject({ type: 'job.succeeded', output: out, frames: 73 });
      // Forward order: the first section decodes 10 latents (37 frames), the next adds 36.
      expect(events.filter((e) => e.type === 'section.done').map((e) => e.frames)).toEqual([37, 73]);
      const probe = await probeVideo(out);
      expect(probe).toMatchObject({ codec: 'h264', width: 96, height: 64, frames: 36 * 2 + 1, fps: 30 });
      const sidecar = JSON.parse(await readFile(path.join(dir, mode, 'clip.json'), 'utf8'));
      expect(sidecar.parameters).toMatchObject({ mode, steps: 2, seed: 31337 });
    }
    // Same model, seed and steps: only the context differs, and so does the video.
    expect((await readFile(path.join(dir, 'f1', 'clip.mp4'))).equals(await readFile(path.join(dir, 'vanilla', 'clip.mp4')))).toBe(false);
    // The plan shows vanilla's recent-frames-only context.
    const plan = JSON.parse((await framepack(['plan', '--image', image, '--prompt', 'a ball', '--seconds', '2.4', '--mode', 'vanilla', '--json'])).stdout);
    expect(plan.sections.map((s: { indices: { clean: number[] } }) => s.indices.clean)).toEqual([[18, 19], [18, 19]]);
    expect(plan.sections[1].context).toMatchObject({ cleanLead: { from: 8, to: 9 }, clean1x: { from: 9, to: 10 }, clean4x: { from: 0, to: 0, zerosBefore: 16 } });
  });

  it('bad input exits 2 with one line naming the flag and the problem', async () => {
    const notImage = path.join(dir, 'notes.png');
    await writeFile(notImage, 'not an image');
    const base = ['generate', '--image', image, '--prompt', 'x'];
    const cases: [string[], string][] = [
      [[...base, '--seconds', '0'], 'framepack: --seconds must be > 0 and ≤ 120 (got 0)'],
      [[...base, '--seconds', '121'], 'framepack: --seconds must be > 0 and ≤ 120 (got 121)'],
      [[...base, '--steps', '0'], 'framepack: --steps must be an integer ≥ 1 and ≤ 100 (got 0)'],
      [[...base, '--window', '0'], 'framepack: --window must be an integer ≥ 1 and ≤ 33 (got 0)'],
      [[...base, '--crf', '52'], 'framepack: --crf must be an integer ≥ 0 and ≤ 51 (got 52)'],
      [[...base, '--model', 'nope'], "framepack: --model 'nope' is not a known model bundle"],
      [['generate', '--image', path.join(dir, 'missing.png'), '--prompt', 'x'], `framepack: --image ${path.join(dir, 'missing.png')}: file not found`],
      [['plan', '--image', notImage, '--prompt', 'x'], `framepack: --image ${notImage}: not a readable image`],
      [['generate', '--prompt', 'x'], 'framepack: --image is required'],
    ];
    const runs = await Promise.all(cases.map(([args]) => framepack(args)));
    runs.forEach((r, i) => {
      expect({ args: cases[i]![0], code: r.code }).toEqual({ args: cases[i]![0], code: 2 });
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1)!.startsWith(cases[i]![1])).toBe(true);
      expect(lines.filter((l) => l.startsWith('framepack:'))).toHaveLength(1);
    });
    // Daemon mode validates first: none of these started a daemon.
    expect(existsSync(socketFile)).toBe(false);
    const provider = await framepack([...base, '--provider', 'cuda']);
    expect({ code: provider.code, stderr: provider.stderr.trim() }).toEqual({ code: 2, stderr: 'framepack: --provider works only with --local (the daemon picks its provider when it starts: FRAMEPACK_EP=auto|cpu|cuda|webgpu, or `framepack config set provider …`)' });
  });
});
