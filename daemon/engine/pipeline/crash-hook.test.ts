import { describe, expect, it } from 'vitest';
import { crashMatches, parseCrashAt } from './crash-hook.js';

describe('FRAMEPACK_TEST_CRASH_AT', () => {
  it('is inert when unset', () => {
    expect(parseCrashAt(undefined)).toBeNull();
    expect(parseCrashAt('')).toBeNull();
    expect(crashMatches(null, 'sample', 1)).toBe(false);
  });
  it('names a stage and optionally a section', () => {
    expect(parseCrashAt('decode:2')).toEqual({ stage: 'decode', section: 2 });
    expect(parseCrashAt('encode')).toEqual({ stage: 'encode', section: null });
    expect(crashMatches({ stage: 'decode', section: 2 }, 'decode', 2)).toBe(true);
    expect(crashMatches({ stage: 'decode', section: 2 }, 'decode', 1)).toBe(false);
    expect(crashMatches({ stage: 'decode', section: 2 }, 'append', 2)).toBe(false);
    expect(crashMatches({ stage: 'encode', section: null }, 'encode', null)).toBe(true);
  });
  it('refuses a malformed value instead of silently never crashing', () => {
    expect(() => parseCrashAt('sampling:1')).toThrow(/stage one of sample, decode/);
    expect(() => parseCrashAt('decode:x')).toThrow(/<stage>\[:<section>\]/);
  });
});
