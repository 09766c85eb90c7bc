import { describe, expect, it } from 'vitest';
import { checkPreset, presetFlags } from '../../shared/settings/presets.js';
import { withSettingsDefaults } from './job-args.js';
import { presetValuesFromFlags } from './presets-command.js';

describe('cache in presets and defaults.* settings (issue 18)', () => {
  it('presets save --cache and the MagCache flags, checked by the same schema', () => {
    const values = presetValuesFromFlags({ cache: 'mag', 'magcache-retention': '0.5', 'magcache-max-skips': '3' });
    expect(values).toEqual({ cache: 'mag', 'magcache-retention': 0.5, 'magcache-max-skips': 3 });
    expect(presetFlags(checkPreset('m', values))).toEqual({ cache: 'mag', 'magcache-retention': '0.5', 'magcache-max-skips': '3' });
    expect(() => checkPreset('m', { cache: 'magic' })).toThrow(/preset m: cache/);
  });

  it('an explicit --teacache/--no-teacache replaces a defaults.cache setting, and --cache a defaults.teacache one', () => {
    expect(withSettingsDefaults({ teacache: true }, { cache: 'mag' })).toEqual({ teacache: true });
    expect(withSettingsDefaults({ cache: 'off' }, { 'no-teacache': true, cache: 'mag' })).toEqual({ cache: 'off' });
    expect(withSettingsDefaults({}, { cache: 'mag' })).toEqual({ cache: 'mag' });
  });
});
