import { describe, expect, it } from 'vitest';
import { bundleDefaults, JobSpecError, recordedParameters, resolveJobSpec } from './job-spec.js';

const manifest = {
  variant: 'inverted' as const,
  defaults: { steps: 25, gs: 10, cfg: 1, rs: 0, windowSize: 9, fps: 30, shift: null, teacache: { enabled: true, threshold: 0.15 } },
};

const resolve = (extra: Record<string, unknown>) => resolveJobSpec({ imagePath: 'a.png', prompt: 'p', ...extra }, manifest, 'framepack-tiny');
const messageOf = (extra: Record<string, unknown>): string => {
  try {
    resolve(extra);
  } catch (err) {
    expect(err).toBeInstanceOf(JobSpecError);
    return (err as Error).message;
  }
  throw new Error('expected a JobSpecError');
};

describe('job spec', () => {
  it('fills the official defaults from the bundle and the UI', () => {
    const spec = resolve({});
    expect(spec).toEqual({
      imagePath: 'a.png', prompt: 'p', negativePrompt: '', seconds: 5, seed: 31337, steps: 25, gs: 10, cfg: 1, rs: 0,
      windowSize: 9, shift: null, sampler: 'unipc', mode: 'inverted', teacache: true, teacacheThreshold: 0.15, crf: 16, model: 'framepack-tiny',
      resolution: null, extendVideo: null, extendContext: null, extendLatents: null,
      cache: 'tea', magcacheThreshold: 0.1, magcacheMaxSkips: 2, magcacheRetention: 0.25,
    });
    expect(bundleDefaults({ ...manifest, variant: 'f1' }).mode).toBe('f1');
  });

  it('keeps given values, including an explicit shift and TeaCache off', () => {
    const spec = resolve({ seconds: 2.5, steps: 3, shift: 3, teacache: false, sampler: 'euler', mode: 'vanilla', cfg: 1.5, negativePrompt: 'blurry' });
    expect(spec).toMatchObject({ seconds: 2.5, steps: 3, shift: 3, teacache: false, sampler: 'euler', mode: 'vanilla', cfg: 1.5, negativePrompt: 'blurry' });
  });

  it('names the flag, the rule and the value in one line', () => {
    expect(messageOf({ seconds: 0 })).toBe('--seconds must be > 0 and ≤ 120 (got 0)');
    expect(messageOf({ seconds: 120.5 })).toBe('--seconds must be > 0 and ≤ 120 (got 120.5)');
    expect(messageOf({ steps: 0 })).toBe('--steps must be an integer ≥ 1 and ≤ 100 (got 0)');
    expect(messageOf({ steps: 2.5 })).toBe('--steps must be an integer ≥ 1 and ≤ 100 (got 2.5)');
    expect(messageOf({ windowSize: 0 })).toBe('--window must be an integer ≥ 1 and ≤ 33 (got 0)');
    expect(messageOf({ crf: 52 })).toBe('--crf must be an integer ≥ 0 and ≤ 51 (got 52)');
    expect(messageOf({ seed: -1 })).toMatch(/^--seed must be an integer ≥ 0/);
    expect(messageOf({ rs: 2 })).toBe('--rs must be ≥ 0 and ≤ 1 (got 2)');
    expect(messageOf({ cfg: 0.5 })).toBe('--cfg must be ≥ 1 and ≤ 32 (got 0.5)');
    expect(messageOf({ shift: 0 })).toBe('--shift must be > 0 and ≤ 100 (got 0)');
    expect(messageOf({ sampler: 'ddim' })).toBe('--sampler must be one of unipc, unipc-bh2, euler (got "ddim")');
    expect(messageOf({ mode: 'forward' })).toBe('--mode must be one of inverted, f1, vanilla (got "forward")');
    expect(messageOf({ imagePath: '' })).toMatch(/^--image must be a non-empty text/);
    expect(messageOf({ seconds: Number.NaN })).toMatch(/^--seconds must be/);
    expect(messageOf({ seconds: 0 }).split('\n')).toHaveLength(1);
  });

  it('records the parameters without the image folder', () => {
    const p = recordedParameters(resolve({ imagePath: '/home/me/pics/cat.png' }), { bucket: { width: 608, height: 640 } });
    expect(p.image).toBe('cat.png');
    expect(p).not.toHaveProperty('imagePath');
    expect(p.bucket).toEqual({ width: 608, height: 640 });
  });

  it('maps the old teacache switch onto cache, and cache wins over it', () => {
    expect(resolve({}).cache).toBe('tea');
    expect(resolve({ teacache: false })).toMatchObject({ cache: 'off', teacache: false });
    expect(resolve({ cache: 'mag' })).toMatchObject({ cache: 'mag', teacache: false, magcacheThreshold: 0.1, magcacheMaxSkips: 2, magcacheRetention: 0.25 });
    expect(resolve({ cache: 'tea', teacache: false })).toMatchObject({ cache: 'tea', teacache: true });
    expect(messageOf({ cache: 'magic' })).toBe('--cache must be one of tea, mag, off (got "magic")');
    expect(messageOf({ magcacheRetention: 1.5 })).toBe('--magcache-retention must be ≥ 0 and ≤ 1 (got 1.5)');
    expect(messageOf({ magcacheMaxSkips: 1.5 })).toBe('--magcache-max-skips must be an integer ≥ 0 and ≤ 100 (got 1.5)');
  });
});

describe('job spec: extension and resolution', () => {
  it('runs an extension forward: an unasked mode becomes f1, an asked other one is refused', () => {
    expect(resolve({ extendVideo: '/v.mp4' }).mode).toBe('f1');
    expect(messageOf({ extendVideo: '/v.mp4', mode: 'inverted' })).toBe('--mode must be f1 for an extension (it continues forward; got inverted)');
  });

  it('refuses contradicting sources and options without their source', () => {
    expect(messageOf({ extendVideo: '/v.mp4', extendLatents: '/j.latents' })).toBe('--extend and --extend-job contradict each other (one source per job)');
    expect(messageOf({ extendContext: 9 })).toBe('--extend-context needs --extend VIDEO');
    expect(messageOf({ extendLatents: '/j.latents', resolution: 640 })).toMatch(/^--resolution cannot change the size of --extend-job/);
    expect(messageOf({ extendVideo: '/v.mp4', extendContext: 74 })).toMatch(/^--extend-context must be an integer ≥ 1 and ≤ 73/);
    expect(messageOf({ resolution: 16 })).toMatch(/^--resolution must be an integer ≥ 32 and ≤ 2048/);
  });

  it('records only the file names of the sources', () => {
    expect(recordedParameters(resolve({ extendVideo: '/some/dir/clip.mp4' }))).toMatchObject({ extendVideo: 'clip.mp4', extendLatents: null });
  });
});
