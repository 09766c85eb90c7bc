import { describe, expect, it } from 'vitest';
import { resolveJob } from './job-args.js';

const env = { FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } as NodeJS.ProcessEnv;
const run = (flags: Record<string, string | boolean>) => resolveJob({ prompt: 'p', ...flags }, env);

describe('extension and resolution flags', () => {
  it('--extend stands in for --image and runs f1; --resolution reaches the spec', async () => {
    const { spec, extendJob } = await run({ extend: 'clip.mp4', 'extend-context': '17', resolution: '160' });
    expect(spec).toMatchObject({ mode: 'f1', extendContext: 17, resolution: 160, extendLatents: null });
    expect(spec.extendVideo).toMatch(/\/clip\.mp4$/);
    expect(extendJob).toBeUndefined();
  });

  it('--extend-job is kept for the daemon, in f1 order', async () => {
    const { spec, extendJob } = await run({ 'extend-job': 'mx9-abc' });
    expect(extendJob).toBe('mx9-abc');
    expect(spec.mode).toBe('f1');
  });

  it('refuses contradictions in one line each', async () => {
    await expect(run({ image: 'a.png', extend: 'clip.mp4' })).rejects.toThrow('--image and --extend/--extend-job contradict each other');
    await expect(run({ extend: 'clip.mp4', 'extend-job': 'j1' })).rejects.toThrow('--extend and --extend-job contradict each other');
    await expect(run({ 'extend-job': 'j1', mode: 'inverted' })).rejects.toThrow('--mode must be f1 for an extension');
    await expect(run({ 'extend-job': 'j1', 'extend-context': '9' })).rejects.toThrow(/--extend-context applies to --extend VIDEO/);
    await expect(run({ 'extend-job': 'a b' })).rejects.toThrow('--extend-job must be a job id');
    await expect(run({})).rejects.toThrow('--image is required (the start frame), or --extend VIDEO / --extend-job ID');
    await expect(run({ image: 'a.png', resolution: '3000' })).rejects.toThrow(/--resolution must be an integer ≥ 32 and ≤ 2048/);
  });
});
