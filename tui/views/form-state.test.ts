import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../shared/protocol/index.js';
import { buildSpec, FIELDS, formReducer, hiddenSpec, initialForm, randomSeed, specFromDefaults, valuesFromSpec, type FormAction, type FormState } from './form-state.js';
import { focusedField, submitIndex } from './form-groups.js';

const run = (actions: FormAction[], from: FormState = initialForm()) => actions.reduce(formReducer, from);

describe('new-job form state', () => {
  it('starts from the protocol defaults and builds a valid JobSpec', () => {
    const s = run([{ type: 'input', text: '/tmp/a.png' }, { type: 'focus', delta: 1 }, { type: 'input', text: 'a cat\nwalks' }]);
    expect(s.values).toMatchObject({ image: '/tmp/a.png', prompt: 'a cat walks', seconds: '5', steps: '25', seed: '31337', mode: 'inverted', teacache: 'on', crf: '16', keepAlive: '' });
    const built = buildSpec(s.values);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(JobSpec.parse(built.spec)).toMatchObject({ image: '/tmp/a.png', prompt: 'a cat walks', seconds: 5, steps: 25, gs: 10, cfg: 1, rs: 0, window: 9, teacache: true, crf: 16 });
    expect(built.spec.keepAlive).toBeUndefined();
  });

  it('reports errors per field with the schema’s own limits', () => {
    const values = { ...valuesFromSpec(), image: '', seconds: 'abc', steps: '0', crf: '99', rs: '2', keepAlive: 'soon' };
    const built = buildSpec(values);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(Object.keys(built.errors).sort()).toEqual(['crf', 'image', 'keepAlive', 'rs', 'seconds', 'steps']);
    expect(built.errors.seconds).toBe('not a number: "abc"; > 0 and ≤ 120');
    expect(built.errors.steps).toBe('must be an integer 1–100 (got 0)');
  });

  it('marks a field as it is typed, with the ranges the CLI and the protocol share (issue 16 item 6)', () => {
    let s = run([{ type: 'focusField', id: 'steps' }, { type: 'clearField' }]);
    expect(focusedField(s)?.id).toBe('steps');
    expect(s.errors.steps).toBe('enter a number, an integer 1–100');
    s = run([{ type: 'input', text: '250' }], s);
    // jobs.submit's JobSpec, the engine and `generate --steps` all stop at 100.
    expect(JobSpec.shape.steps.safeParse(250).success).toBe(false);
    expect(s.errors.steps).toBe('must be an integer 1–100 (got 250)');
    s = run([{ type: 'backspace' }], s);
    expect(s.errors.steps).toBeUndefined(); // 25
    s = run([{ type: 'focusField', id: 'gs' }, { type: 'clearField' }, { type: 'input', text: '99' }], s);
    expect(focusedField(s)?.id).toBe('gs');
    expect(s.errors.gs).toBe('must be 0–32 (got 99)');
    s = run([{ type: 'focusField', id: 'keepAlive' }, { type: 'input', text: 'soon' }], s);
    expect(s.errors.keepAlive).toBeTruthy();
    expect(s.errors.image).toBeUndefined(); // an empty image is only an error at submit
  });

  it('edits, cycles choices and toggles, randomises the seed, and moves focus within bounds', () => {
    let s = run([{ type: 'focusField', id: 'mode' }, { type: 'cycle', delta: 1 }, { type: 'input', text: 'x' }]);
    expect(focusedField(s)?.id).toBe('mode');
    expect(s.values.mode).toBe('f1'); // typing does nothing on a choice
    s = run([{ type: 'cycle', delta: -1 }, { type: 'cycle', delta: -1 }], s);
    expect(s.values.mode).toBe('vanilla');
    s = run([{ type: 'focusField', id: 'teacache' }, { type: 'cycle', delta: 1 }], s);
    expect(s.values.teacache).toBe('off');
    s = run([{ type: 'focusField', id: 'seed' }, { type: 'clearField' }, { type: 'input', text: '12' }, { type: 'backspace' }], s);
    expect(s.values.seed).toBe('1');
    s = run([{ type: 'randomSeed', seed: randomSeed(() => 0.5) }], s);
    expect(s.values.seed).toBe(String(2 ** 31));
    s = run([{ type: 'focus', delta: 100 }], s);
    expect(s.focus).toBe(submitIndex(s));
    s = run([{ type: 'focus', delta: -100 }], s);
    expect(s.focus).toBe(0);
  });

  it('copies a job’s parameters (focus skips the filled image)', () => {
    const spec = JobSpec.parse({ image: '/x.png', prompt: 'p', seed: 7, mode: 'f1', teacache: false, keepAlive: '10m', seconds: 2.5 });
    const s = initialForm(spec);
    expect(s.focus).toBe(1);
    expect(s.values).toMatchObject({ image: '/x.png', seed: '7', mode: 'f1', teacache: 'off', keepAlive: '10m', seconds: '2.5' });
    const built = buildSpec(s.values);
    expect(built.ok && JobSpec.parse(built.spec)).toMatchObject({ seed: 7, mode: 'f1', teacache: false, keepAlive: '10m', seconds: 2.5 });
  });
});

describe('the form and the defaults.* settings', () => {
  it('starts from `framepack config set defaults.*` and submits the fields it has no row for', () => {
    const base = specFromDefaults({ 'defaults.steps': 12, 'defaults.negative': 'blurry', 'defaults.teacache': false, 'defaults.sampler': 'unipc', 'defaults.shift': 3, 'defaults.teacache-threshold': 0.2, player: 'mpv' });
    expect(base).toEqual({ steps: 12, negativePrompt: 'blurry', teacache: false, sampler: 'unipc', shift: 3, teacacheThreshold: 0.2 });
    const form = initialForm(base);
    expect(form.values.steps).toBe('12');
    expect(form.values.negativePrompt).toBe('blurry');
    expect(form.values.teacache).toBe('off');
    const built = buildSpec({ ...form.values, image: '/in.png' }, hiddenSpec(base));
    expect(built.ok && built.spec).toMatchObject({ steps: 12, shift: 3, sampler: 'unipc', teacacheThreshold: 0.2 });
  });
});

describe('number fields (issue 16 item 13)', () => {
  it('the first key typed after moving to a number field replaces its value; the next ones append', () => {
    let s = run([{ type: 'focusField', id: 'steps' }, { type: 'input', text: '5' }, { type: 'input', text: '2' }]);
    expect(s.values.steps).toBe('52'); // replaced 25 by 5, then appended 2
    s = run([{ type: 'focusField', id: 'steps' }, { type: 'input', text: '5' }]);
    expect(s.values.steps).toBe('5');
    // Backspace first edits the value instead (keeps the rest).
    s = run([{ type: 'focusField', id: 'steps' }, { type: 'backspace' }, { type: 'input', text: '0' }]);
    expect(s.values.steps).toBe('20');
    // Text fields append as before.
    s = run([{ type: 'focusField', id: 'prompt' }, { type: 'input', text: 'a' }, { type: 'focus', delta: 1 }, { type: 'focus', delta: -1 }, { type: 'input', text: 'b' }]);
    expect(s.values.prompt).toBe('ab');
    // Moving down onto Seconds with the arrows arms it too.
    s = run([{ type: 'focusField', id: 'prompt' }, { type: 'focus', delta: 1 }, { type: 'input', text: '3' }]);
    expect(s.values.seconds).toBe('3');
  });
});

describe('model, sampler, shift and output fields (issue 16 "what to build")', () => {
  const withImage = (s: FormState) => ({ ...s.values, image: '/in.png' });

  it('are fields of the form, sent with the submit, and empty ones stay out of the spec', () => {
    expect(FIELDS.map((f) => f.id)).toEqual(expect.arrayContaining(['model', 'sampler', 'shift', 'out']));
    let s = run([{ type: 'focusField', id: 'sampler' }, { type: 'cycle', delta: 1 }]);
    expect(s.values.sampler).toBe('unipc-bh2');
    s = run([{ type: 'focusField', id: 'shift' }, { type: 'input', text: '3' }, { type: 'focusField', id: 'model' }, { type: 'input', text: 'framepack-tiny' }, { type: 'focusField', id: 'out' }, { type: 'input', text: '/tmp/clip.mp4' }], s);
    expect(s.errors).toEqual({ sampler: undefined, shift: undefined, model: undefined, out: undefined, form: undefined });
    const built = buildSpec(withImage(s));
    expect(built.ok && built.spec).toMatchObject({ sampler: 'unipc-bh2', shift: 3, model: 'framepack-tiny', out: '/tmp/clip.mp4' });
    const plain = buildSpec(withImage(initialForm()));
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    expect(plain.spec).not.toHaveProperty('shift');
    expect(plain.spec).not.toHaveProperty('model');
    expect(plain.spec).not.toHaveProperty('out');
    expect(plain.spec.sampler).toBe('unipc');
  });

  it('are validated as typed, with the protocol\'s limits', () => {
    let s = run([{ type: 'focusField', id: 'shift' }, { type: 'input', text: '0' }]);
    expect(s.errors.shift).toBe('must be > 0 and ≤ 100 (got 0)');
    s = run([{ type: 'clearField' }], s);
    expect(s.errors.shift).toBeUndefined(); // empty = derived from the resolution
    s = run([{ type: 'focusField', id: 'model' }, { type: 'input', text: '../etc' }], s);
    expect(s.errors.model).toBeTruthy();
    s = run([{ type: 'focusField', id: 'out' }, { type: 'input', text: 'clip.mp4' }], s);
    expect(s.errors.out).toBe('must be an absolute path (got clip.mp4)');
    s = run([{ type: 'clearField' }, { type: 'input', text: '/tmp/clip.mov' }], s);
    expect(s.errors.out).toBe('must end in .mp4 (got /tmp/clip.mov)');
    const built = buildSpec(withImage(s));
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(Object.keys(built.errors).sort()).toEqual(['model', 'out']);
  });

  it('a copied job brings its model, sampler and shift but not its output path (a resubmit would replace that video)', () => {
    const form = initialForm({ image: '/in.png', prompt: 'p', model: 'framepack-tiny', sampler: 'euler', shift: 2.5, out: '/v/old.mp4' });
    expect(form.values).toMatchObject({ model: 'framepack-tiny', sampler: 'euler', shift: '2.5', out: '' });
  });
});

describe('typed text', () => {
  it('drops control bytes that arrive inside the text (a Ctrl+L read in one chunk with it), keeps the rest', () => {
    const s = run([{ type: 'input', text: '/tmp/a.png\u000c' }, { type: 'focus', delta: 1 }, { type: 'input', text: 'a\u000bcat\u001b' }]);
    expect(s.values.image).toBe('/tmp/a.png');
    expect(s.values.prompt).toBe('acat');
  });
});

describe('the cache row (issue 18: MagCache)', () => {
  it('Space cycles on (TeaCache) → off → mag (MagCache); mag submits cache: mag, and a mag job copies back as mag', () => {
    let s = initialForm({ image: '/tmp/a.png', prompt: 'p' });
    s = run([{ type: 'focusField', id: 'teacache' }, { type: 'cycle', delta: 1 }, { type: 'cycle', delta: 1 }], s);
    expect(s.values.teacache).toBe('mag');
    const built = buildSpec(s.values);
    expect(built.ok && JobSpec.parse(built.spec)).toMatchObject({ cache: 'mag' });
    expect(valuesFromSpec(JobSpec.parse({ image: '/x.png', prompt: 'p', cache: 'mag' })).teacache).toBe('mag');
    expect(valuesFromSpec(JobSpec.parse({ image: '/x.png', prompt: 'p', cache: 'off' })).teacache).toBe('off');
    expect(run([{ type: 'cycle', delta: 1 }], s).values.teacache).toBe('on');
  });
});

