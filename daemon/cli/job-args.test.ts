import { describe, expect, it } from 'vitest';
import { jobInputFromFlags, parseNumberFlag, resolveJob } from './job-args.js';
import { asUsageError, reportError, UsageError, EXIT_USAGE, EXIT_FAILURE } from './errors.js';

describe('job flags', () => {
  it('--cache and the MagCache flags become spec fields; --cache contradicting --teacache is a usage error', () => {
    expect(jobInputFromFlags({ cache: 'mag', 'magcache-threshold': '0.2', 'magcache-max-skips': '3', 'magcache-retention': '0.1' }))
      .toMatchObject({ cache: 'mag', magcacheThreshold: 0.2, magcacheMaxSkips: 3, magcacheRetention: 0.1 });
    expect(jobInputFromFlags({ cache: 'off', 'no-teacache': true })).toMatchObject({ cache: 'off', teacache: false });
    expect(() => jobInputFromFlags({ cache: 'mag', teacache: true })).toThrow('--cache mag and --teacache contradict each other');
    expect(() => jobInputFromFlags({ cache: 'tea', 'no-teacache': true })).toThrow(UsageError);
    expect(() => jobInputFromFlags({ 'magcache-threshold': 'x' })).toThrow('--magcache-threshold must be a number (got "x")');
  });

  it('reads numbers strictly', () => {
    expect(parseNumberFlag('--seconds', '2.5')).toBe(2.5);
    expect(parseNumberFlag('--seconds', undefined)).toBeUndefined();
    expect(() => parseNumberFlag('--steps', '2x')).toThrow('--steps must be a number (got "2x")');
    expect(() => parseNumberFlag('--steps', '')).toThrow(UsageError);
    expect(() => parseNumberFlag('--seed', 'Infinity')).toThrow(/--seed must be a number/);
  });

  it('maps flags to spec fields, TeaCache on/off included', () => {
    expect(jobInputFromFlags({ image: 'a.png', prompt: 'p', window: '5', 'no-teacache': true })).toMatchObject({ imagePath: 'a.png', windowSize: 5, teacache: false });
    expect(jobInputFromFlags({ teacache: true }).teacache).toBe(true);
    expect(jobInputFromFlags({}).teacache).toBeUndefined();
    expect(() => jobInputFromFlags({ teacache: true, 'no-teacache': true })).toThrow(/contradict/);
  });

  it('resolves the default model and reports usage errors with the flag', async () => {
    const job = await resolveJob({ image: 'a.png', prompt: 'p' });
    expect(job.spec.model).toBe('framepack-tiny');
    expect(job.manifest.name).toBe('framepack-tiny');
    expect(job.spec.steps).toBe(job.manifest.defaults.steps);
    await expect(resolveJob({ prompt: 'p' })).rejects.toThrow('--image is required');
    await expect(resolveJob({ image: 'a.png' })).rejects.toThrow('--prompt is required');
    const unknown = await resolveJob({ image: 'a.png', prompt: 'p', model: 'no-such-model' }).catch((e: unknown) => e);
    expect(asUsageError(unknown)?.message).toMatch(/^--model 'no-such-model' is not a known model bundle .*available: .*framepack-tiny/);
    const bad = await resolveJob({ image: 'a.png', prompt: 'p', seconds: '0' }).catch((e: unknown) => e);
    const lines: string[] = [];
    expect(reportError(bad, { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream)).toBe(EXIT_USAGE);
    expect(lines).toEqual(['framepack: --seconds must be > 0 and ≤ 120 (got 0)\n']);
    expect(reportError(new Error('ffmpeg failed\nmore'), { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream)).toBe(EXIT_FAILURE);
    expect(lines.at(-1)).toBe('framepack: ffmpeg failed\n');
  });
});
