import { describe, expect, it } from 'vitest';
import { presetValuesFromFlags } from './presets-command.js';

describe('presets save: flags → values', () => {
  it('reads --seed as generate does: torch\'s range, a negative seed as the one with the same noise', () => {
    expect(presetValuesFromFlags({ seed: '-1' })).toEqual({ seed: 4294967295 });
    expect(presetValuesFromFlags({ seed: '18446744073709551615' })).toEqual({ seed: 4294967295 });
    expect(presetValuesFromFlags({ seed: '31337', steps: '12' })).toEqual({ seed: 31337, steps: 12 });
    expect(() => presetValuesFromFlags({ seed: '-99999999999999999999999' })).toThrow(/--seed must be an integer from -2\^63 to 2\^64-1/);
  });
});
