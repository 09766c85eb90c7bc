// Directing (issue 17: end image, keyframes, timestamped prompts with blending) end to end: the
// real `framepack` command and a real daemon with the default tiny bundle on isolated dirs. A
// detached job keeps running after its end and keyframe files are deleted (the daemon copied them
// at submit); its sidecar records the directing options; `plan` shows the prompt of each section
// in display and generation order; bad values are refused at submit, by the CLI (exit 2) and by
// the socket (INVALID_PARAMS), and the daemon stays up with its queue.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createCliHarness, ndjson } from '../helpers/cli-harness.js';
import { connectClient } from '../helpers/daemon-harness.js';

const { dir, image, socketFile, framepack } = await createCliHarness('fp-direct-');

afterAll(async () => {
  if (existsSync(socketFile)) await framepack(['daemon', 'stop']);
  await rm(dir, { recursive: true, force: true });
});

describe('directing through the daemon (e2e)', () => {
  it('runs a job with an end image, a keyframe and a timestamped prompt file from copies; the sidecar records them', { timeout: 120_000 }, async () => {
    const end = path.join(dir, 'end.png');
    const key = path.join(dir, 'key.png');
    await copyFile(image, end);
    await copyFile(image, key);
    const promptFile = path.join(dir, 'prompt.txt');
    await writeFile(promptFile, '[0s: a red ball rolls right]\n[1.2s: the ball jumps up]\n');
    await mkdir(path.join(dir, 'out'));
    const out = path.join(dir, 'out', 'directed.mp4');
    const args = ['--image', image, '--prompt-file', promptFile, '--prompt-blend', '1', '--end-image', end, '--end-strength', '0.8', '--keyframe', '1.3=key.png', '--seconds', '2.4', '--steps', '2'];

    const plan = await framepack(['plan', ...args, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const d = (JSON.parse(plan.stdout) as { directing: { prompts: string[]; sections: { displayIndex: number; generationIndex: number; prompt: { from: number; to: number; weight: number }; keyframe: number | null }[] } }).directing;
    expect(d.prompts).toEqual(['a red ball rolls right', 'the ball jumps up']);
    // Display order; inverted: display 1 is generated last. Section 2 (1.2–2.4 s) blends P1 → P2 at ½ and is the keyframe's.
    expect(d.sections.map((s) => [s.displayIndex, s.generationIndex, s.prompt.from, s.prompt.to, s.prompt.weight, s.keyframe])).toEqual([[0, 1, 0, 0, 0, null], [1, 0, 0, 1, 0.5, 0]]);
    const text = await framepack(['plan', ...args]);
    expect(text.stdout).toMatch(/2 +1 +1\.20–2\.40 s +P1→P2 0\.50 +keyframe 1/);

    const detached = await framepack(['generate', ...args, '--no-partials', '--detach', '--out', out]);
    expect(detached.code, detached.stderr).toBe(0);
    // The daemon holds its own copies: the job runs without the originals.
    await rm(end);
    await rm(key);
    const followed = await framepack(['jobs', 'show', detached.stdout.trim(), '--follow']);
    expect(followed.code, followed.stderr).toBe(0);
    const sidecar = JSON.parse(await readFile(out.replace(/\.mp4$/, '.json'), 'utf8')) as { parameters: Record<string, unknown> };
    expect(sidecar.parameters).toMatchObject({
      prompt: '[0s: a red ball rolls right]\n[1.2s: the ball jumps up]', promptBlend: 1,
      endImage: 'end.png', endStrength: 0.8, keyframes: [{ seconds: 1.3, image: 'keyframe-0.png' }],
    });
  });

  it('refuses bad directing values at submit with one clear line, from the CLI and the socket', { timeout: 60_000 }, async () => {
    const gen = (...a: string[]) => framepack(['generate', '--image', image, '--seconds', '2.4', '--steps', '2', '--detach', ...a]);
    expect(await gen('--prompt', '[0s-2s: a] [1s: b]')).toMatchObject({ code: 2, stderr: 'framepack: --prompt [0s-2s: a] and [1s: b] overlap\n' });
    expect(await gen('--prompt', 'x', '--keyframe', '3=start.png')).toMatchObject({ code: 2, stderr: expect.stringContaining("--keyframe 3s is past the video's end (2.43 s") });
    expect(await gen('--prompt', 'x', '--mode', 'f1', '--end-image', 'start.png')).toMatchObject({ code: 2, stderr: expect.stringContaining('--end-image works only with --mode inverted') });
    expect(await gen('--prompt', 'x', '--end-image', 'missing.png')).toMatchObject({ code: 2, stderr: expect.stringContaining('--end-image missing.png') });

    // The socket validates the same (a client that skips the CLI's checks).
    if (!existsSync(socketFile)) expect((await gen('--prompt', 'start the daemon')).code).toBe(0);
    const c = await connectClient(socketFile);
    try {
      const submit = (extra: Record<string, unknown>) => c.call('jobs.submit', { image, prompt: 'x', seconds: 2.4, steps: 2, ...extra }).then(() => null, (e: { code?: string; message: string }) => e);
      expect(await submit({ prompt: '[0s: a] [5s: b]' })).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining("starts at 5 s, past the video's end") });
      expect(await submit({ endImage: path.join(dir, 'nope.png') })).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/^endImage: --end-image .*nope\.png/) });
      expect(await submit({ keyframes: [{ seconds: 1.3, image }, { seconds: 1.5, image }] })).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('fall in the same section') });
      expect(await submit({ endStrength: 0.5 })).toMatchObject({ code: 'INVALID_PARAMS', message: 'end-strength: needs --end-image' });
      // Still up, and it still takes a good job.
      expect((await c.call('daemon.status', {})).pid).toBeGreaterThan(0);
      expect(await submit({ endImage: image, keyframes: [{ seconds: 0, image }] })).toBeNull();
    } finally {
      c.close();
    }
  });
});
