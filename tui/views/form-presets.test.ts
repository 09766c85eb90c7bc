import { describe, expect, it } from 'vitest';
import { checkPreset } from '../../shared/settings/presets.js';
import { applyPreset, presetFromForm } from './form-presets.js';
import { buildSpec, formReducer, initialForm, valuesFromSpec } from './form-state.js';

describe('the new-job form and saved presets', () => {
  it('saves the form as a preset the CLI accepts: every parameter and the prompt, never the image or output path', () => {
    const values = { ...valuesFromSpec({ prompt: 'waves', steps: 6, sampler: 'euler', shift: 3, teacache: false, model: 'framepack-tiny' }), image: '/in.png', out: '/v/a.mp4', keepAlive: '5m' };
    const made = presetFromForm(values, { teacacheThreshold: 0.2 });
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.preset).toEqual({
      prompt: 'waves', seconds: 5, seed: 31337, steps: 6, gs: 10, cfg: 1, rs: 0, window: 9, shift: 3, sampler: 'euler', mode: 'inverted',
      teacache: false, crf: 16, model: 'framepack-tiny', 'teacache-threshold': 0.2,
    });
    expect(checkPreset('p', made.preset)).toEqual(made.preset); // what `framepack presets` stores
  });

  it('refuses to save a form with a bad value, naming the field (an empty image or a bad output path do not count)', () => {
    const made = presetFromForm({ ...valuesFromSpec(), image: '', out: 'relative.mp4', steps: '250' });
    expect(made).toEqual({ ok: false, errors: { steps: 'must be an integer 1–100 (got 250)' } });
  });

  it('loads a preset over the form, keeping the image, output path and keep-alive, and the prompt when the preset has none', () => {
    const start = { ...valuesFromSpec({ prompt: 'my prompt' }), image: '/in.png', out: '/v/a.mp4', keepAlive: '0' };
    const { values, hidden } = applyPreset(start, { steps: 6, sampler: 'euler', teacache: false, negative: 'blur', 'teacache-threshold': 0.3 });
    expect(values).toMatchObject({ image: '/in.png', out: '/v/a.mp4', keepAlive: '0', prompt: 'my prompt', steps: '6', sampler: 'euler', teacache: 'off', negativePrompt: 'blur' });
    expect(hidden).toEqual({ teacacheThreshold: 0.3 });
    expect(applyPreset(start, { prompt: 'waves' }).values.prompt).toBe('waves');
    const built = buildSpec(values, hidden);
    expect(built.ok && built.spec).toMatchObject({ steps: 6, sampler: 'euler', teacache: false, teacacheThreshold: 0.3, out: '/v/a.mp4' });
  });

  it('replaceValues shows each field\'s problem with the new values; the Preset field checks the name as typed', () => {
    let s = formReducer(initialForm(), { type: 'replaceValues', values: { ...valuesFromSpec(), steps: '6', gs: '99' } });
    expect(s.values.steps).toBe('6');
    expect(s.errors).toEqual({ gs: 'must be 0–32 (got 99)' });
    s = formReducer(formReducer(s, { type: 'focusField', id: 'preset' }), { type: 'input', text: 'my preset' });
    expect(s.errors.preset).toMatch(/^letters, digits/);
    expect(buildSpec({ ...s.values, image: '/in.png', gs: '10' }).ok).toBe(true); // the name is not a job parameter
  });
});

describe('presets and the cache row (issue 18: MagCache)', () => {
  it('a form set to mag saves cache: mag (with its hidden MagCache settings) and loads back as mag', () => {
    const values = { ...valuesFromSpec({ prompt: 'p', cache: 'mag' }), image: '/in.png' };
    const made = presetFromForm(values, { magcacheRetention: 0.5 });
    expect(made.ok && made.preset).toMatchObject({ cache: 'mag', teacache: false, 'magcache-retention': 0.5 });
    const applied = applyPreset(valuesFromSpec({}), made.ok ? made.preset : {});
    expect(applied.values.teacache).toBe('mag');
    expect(applied.hidden).toEqual({ magcacheRetention: 0.5 });
    expect(applyPreset(valuesFromSpec({}), { teacache: true, cache: 'off' }).values.teacache).toBe('off');
  });
});


describe('presets and the directing fields (issue 17)', () => {
  it('saves prompt blend, end strength and resolution as values (not the end image or keyframes) and loads them back', () => {
    const values = { ...valuesFromSpec({ prompt: '[0s: a] [1.2s: b]', promptBlend: 2, endStrength: 0.6, resolution: 160, endImage: '/e.png', keyframes: [{ seconds: 1, image: '/k.png' }] }), image: '/in.png' };
    const made = presetFromForm(values);
    expect(made.ok && made.preset).toMatchObject({ 'prompt-blend': 2, 'end-strength': 0.6, resolution: 160 });
    expect(made.ok && Object.keys(made.preset)).not.toContain('end-image');
    expect(checkPreset('p', made.ok ? made.preset : {})).toEqual(made.ok && made.preset);
    const applied = applyPreset(valuesFromSpec({}), made.ok ? made.preset : {}).values;
    expect(applied).toMatchObject({ promptBlend: '2', endStrength: '0.6', resolution: '160', endImage: '', keyframes: '' });
  });
});
