// Presets hold the directing and resolution values (issue 17 item 6 beside issue 16's presets):
// `presets save` stores --prompt-blend, --end-strength, --resolution, --cache and a --prompt-file's
// text; files (--end-image, --keyframe, --extend, …) are refused like --lora with one line and
// nothing written; `plan --preset` applies them, the end strength only beside an end image.
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliHarness } from '../helpers/cli-harness.js';

const h = await createCliHarness('fp-presets-dir-');
const presetsJson = path.join(h.env.XDG_CONFIG_HOME!, 'framepack', 'presets.json');

afterAll(async () => {
  await rm(h.dir, { recursive: true, force: true });
});

describe('presets with directing values', () => {
  it('stores prompt blend, end strength, resolution and cache; refuses files with the flag to use', async () => {
    const promptFile = path.join(h.dir, 'p.txt');
    await writeFile(promptFile, '[0s: a ball rolls] [1.2s: the ball jumps]\n');
    const saved = await h.framepack(['presets', 'save', 'dir', '--prompt-file', promptFile, '--prompt-blend', '2', '--end-strength', '0.6', '--resolution', '160', '--cache', 'off']);
    expect(saved).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(readFileSync(presetsJson, 'utf8'))).toEqual({
      dir: { prompt: '[0s: a ball rolls] [1.2s: the ball jumps]', 'prompt-blend': 2, 'end-strength': 0.6, resolution: 160, cache: 'off' },
    });
    const refusals = await Promise.all([
      h.framepack(['presets', 'save', 'x', '--end-image', h.image]),
      h.framepack(['presets', 'save', 'x', '--keyframe', `1=${h.image}`]),
      h.framepack(['presets', 'save', 'x', '--extend', 'a.mp4']),
      h.framepack(['presets', 'save', 'x', '--prompt-blend', '101']),
    ]);
    expect(refusals.map((r) => [r.code, r.stderr])).toEqual([
      [2, 'framepack: presets save: a preset holds no end image (a file on this machine); give --end-image to generate (--end-strength is kept)\n'],
      [2, 'framepack: presets save: a preset holds no keyframes (files on this machine); give --keyframe to generate\n'],
      [2, 'framepack: presets save: a preset holds no video to extend (a file); give --extend to generate\n'],
      [2, 'framepack: presets: preset x: prompt-blend Too big: expected number to be <=100 (got 101)\n'],
    ]);
    expect(Object.keys(JSON.parse(readFileSync(presetsJson, 'utf8')))).toEqual(['dir']);
  });

  it('plan --preset applies them: the class, the blend, and the end strength beside an end image only', async () => {
    const [plain, ended] = await Promise.all([
      h.framepack(['plan', '--image', h.image, '--preset', 'dir', '--seconds', '2.4', '--json']),
      h.framepack(['plan', '--image', h.image, '--preset', 'dir', '--seconds', '2.4', '--end-image', h.image, '--json']),
    ]);
    expect(plain.stderr).toBe('');
    expect(JSON.parse(plain.stdout)).toMatchObject({ bucketClass: { resolution: 160 }, directing: { promptBlend: 2, endImage: null, prompts: ['a ball rolls', 'the ball jumps'] } });
    expect(ended.stderr).toBe('');
    expect(JSON.parse(ended.stdout)).toMatchObject({ directing: { promptBlend: 2, endImage: { strength: 0.6 } } });
  });
});
