// Saved presets through the real command (bin/framepack.js) on isolated XDG dirs (issue 16 "what
// to build"): `presets save/ls/rm`, refusals that write nothing, `plan --preset` with flags over
// the preset over the defaults.* settings, and `generate --preset` through a daemon on the fake engine.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliHarness } from '../helpers/cli-harness.js';

const h = await createCliHarness('fp-presets-');
const presetsJson = path.join(h.env.XDG_CONFIG_HOME!, 'framepack', 'presets.json');

const fake = { FRAMEPACK_ENGINE: 'fake', FRAMEPACK_FAKE_STEP_MS: '5', FRAMEPACK_FAKE_LOAD_MS: '1', FRAMEPACK_DEVICE_MEMORY: '80' };

afterAll(async () => {
  if (existsSync(h.socketFile)) await h.framepack(['daemon', 'stop'], fake);
  await rm(h.dir, { recursive: true, force: true });
});

describe('framepack presets', () => {
  it('saves, lists and removes presets; bad values and the image are refused with exit 2 and nothing written', async () => {
    let r = await h.framepack(['presets', 'save', 'fast', '--steps', '8', '--sampler', 'euler', '--no-teacache', '--prompt', 'a cat walks']);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: 'saved preset fast: steps=8 prompt="a cat walks" sampler=euler teacache=false\n' });
    const [bad, image, unknown] = await Promise.all([
      h.framepack(['presets', 'save', 'fast', '--steps', '500']),
      h.framepack(['presets', 'save', 'other', '--image', h.image]),
      h.framepack(['presets', 'rm', 'nope']),
    ]);
    expect(bad).toMatchObject({ code: 2, stderr: 'framepack: presets: preset fast: steps Too big: expected number to be <=100 (got 500)\n' });
    expect(image.code).toBe(2);
    expect(image.stderr).toContain('a preset never holds the start image');
    expect(unknown).toMatchObject({ code: 2, stderr: "framepack: presets: no preset 'nope' (saved: fast)\n" });
    expect(JSON.parse(readFileSync(presetsJson, 'utf8'))).toEqual({ fast: { steps: 8, prompt: 'a cat walks', sampler: 'euler', teacache: false } });
    r = await h.framepack(['presets', 'ls', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ fast: { steps: 8, prompt: 'a cat walks', sampler: 'euler', teacache: false } });
    r = await h.framepack(['presets', 'rm', 'fast']);
    expect(r).toMatchObject({ code: 0, stdout: 'removed preset fast\n' });
    r = await h.framepack(['presets', 'ls']);
    expect(r.stdout).toMatch(/^\(no presets; /);
  });

  it('plan --preset applies it under the flags and over the defaults.* settings; an unknown name lists the saved ones', async () => {
    await h.framepack(['config', 'set', 'defaults.seed', '7']);
    await h.framepack(['config', 'set', 'defaults.steps', '20']);
    await h.framepack(['presets', 'save', 'draft', '--steps', '6', '--sampler', 'euler', '--no-teacache', '--prompt', 'waves']);
    const [planned, unknown] = await Promise.all([
      h.framepack(['plan', '--image', h.image, '--preset', 'draft', '--sampler', 'unipc-bh2', '--json']),
      h.framepack(['plan', '--image', h.image, '--preset', 'final', '--json']),
    ]);
    expect(planned.stderr).toBe('');
    // No --prompt: the preset's is used. --sampler wins over the preset; seed comes from the settings.
    expect(JSON.parse(planned.stdout)).toMatchObject({ steps: 6, sampler: 'unipc-bh2', seed: 7, teacache: { enabled: false } });
    expect(unknown).toMatchObject({ code: 2, stderr: "framepack: --preset: no preset 'final' (saved: draft)\n" });
  });

  it('generate --preset submits the preset\'s parameters to the daemon (a fake engine), flags winning', async () => {
    await h.framepack(['presets', 'save', 'quick', '--steps', '2', '--sampler', 'euler', '--no-teacache', '--prompt', 'from the preset'], fake);
    const queued = await h.framepack(['generate', '--image', h.image, '--preset', 'quick', '--seconds', '1', '--detach'], fake);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    const shown = await h.framepack(['jobs', 'show', queued.stdout.trim(), '--json'], fake);
    expect(JSON.parse(shown.stdout).spec).toMatchObject({ prompt: 'from the preset', steps: 2, sampler: 'euler', teacache: false, seconds: 1, seed: 7 });
  });
});
