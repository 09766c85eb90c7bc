import { describe, expect, it } from 'vitest';
import { formatLoraArg, LoraRef, parseLoraArg } from './lora.js';
import { JobSpec } from './job.js';

describe('parseLoraArg (--lora FILE[:STRENGTH])', () => {
  it('reads the strength after the last colon, default 1', () => {
    expect(parseLoraArg('style.safetensors')).toEqual({ path: 'style.safetensors', strength: 1 });
    expect(parseLoraArg('style.safetensors:0.6')).toEqual({ path: 'style.safetensors', strength: 0.6 });
    expect(parseLoraArg('/loras/a.safetensors:-1.5')).toEqual({ path: '/loras/a.safetensors', strength: -1.5 });
    expect(parseLoraArg('a.safetensors:.5')).toEqual({ path: 'a.safetensors', strength: 0.5 });
  });

  it('keeps colons that are part of the path', () => {
    expect(parseLoraArg('/mnt/x:y/a.safetensors')).toEqual({ path: '/mnt/x:y/a.safetensors', strength: 1 });
    expect(parseLoraArg('/mnt/x:y/a.safetensors:2')).toEqual({ path: '/mnt/x:y/a.safetensors', strength: 2 });
  });

  it('refuses a missing file or a strength out of range', () => {
    expect(() => parseLoraArg(':0.5')).toThrow(/needs a file/);
    expect(() => parseLoraArg('a.safetensors:11')).toThrow(/between -10 and 10/);
  });

  it('formats back to the same text', () => {
    expect(formatLoraArg({ path: '/a.safetensors', strength: 1 })).toBe('/a.safetensors');
    expect(formatLoraArg({ path: '/a.safetensors', strength: 0.7 })).toBe('/a.safetensors:0.7');
  });
});

describe('JobSpec.loras', () => {
  it('takes a list of {path, strength} with strength defaulting to 1', () => {
    const s = JobSpec.parse({ image: '/i.png', prompt: '', loras: [{ path: '/a.safetensors' }, { path: '/b.safetensors', strength: 0.5 }] });
    expect(s.loras).toEqual([{ path: '/a.safetensors', strength: 1 }, { path: '/b.safetensors', strength: 0.5 }]);
  });

  it('refuses unknown fields, strengths out of range and more than 8', () => {
    expect(LoraRef.safeParse({ path: '/a', weight: 1 }).success).toBe(false);
    expect(LoraRef.safeParse({ path: '/a', strength: 12 }).success).toBe(false);
    const nine = Array.from({ length: 9 }, (_, i) => ({ path: `/l${i}` }));
    expect(JobSpec.safeParse({ image: '/i.png', prompt: '', loras: nine }).success).toBe(false);
  });
});
