import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../shared/protocol/index.js';
import { FIELDS, formReducer, initialForm, type FormAction, type FormState } from './form-state.js';
import { COMMON_FIELDS, FIELD_GROUPS, focusedField, focusedRow, formRows, groupHeaderText, groupOf, headerIndexOf, rowIndexOf, submitIndex } from './form-groups.js';
import { applyPreset } from './form-presets.js';

const run = (actions: FormAction[], from: FormState = initialForm()) => actions.reduce(formReducer, from);
const rowLabels = (s: FormState) => formRows(s.expanded).map((r) => (r.kind === 'field' ? r.field.id : r.kind === 'group' ? `[${r.group}]` : 'submit'));

describe('the form in groups', () => {
  it('shows the common fields, one header per group, then Submit; every field is in exactly one place', () => {
    const s = initialForm();
    expect(rowLabels(s)).toEqual(['image', 'prompt', 'seconds', 'seed', 'steps', 'teacache', 'preset', '[directing]', '[sampling]', '[output]', '[extend]', 'submit']);
    // Submit is 11 rows below Image with every group closed (it was 30 before the groups).
    expect(submitIndex(s)).toBe(11);
    const everywhere = formRows(FIELD_GROUPS.map((g) => g.id)).flatMap((r) => (r.kind === 'field' ? [r.field.id] : []));
    expect([...everywhere].sort()).toEqual(FIELDS.map((f) => f.id).sort());
    expect(new Set(everywhere).size).toBe(FIELDS.length);
    expect(COMMON_FIELDS.every((id) => groupOf(id) === null)).toBe(true);
  });

  it('Enter on a header opens the group below it, focus staying on the header; closing from inside goes back to the header', () => {
    let s = run([{ type: 'focus', delta: headerIndexOf('sampling') }]);
    expect(focusedRow(s)).toEqual({ kind: 'group', group: 'sampling' });
    expect(focusedField(s)).toBeUndefined();
    s = run([{ type: 'toggleGroup', group: 'sampling' }], s);
    expect(s.expanded).toEqual(['sampling']);
    expect(focusedRow(s)).toEqual({ kind: 'group', group: 'sampling' });
    expect(rowLabels(s).slice(8, 17)).toEqual(['[sampling]', 'mode', 'sampler', 'negativePrompt', 'gs', 'cfg', 'rs', 'window', 'shift']);
    // ↓ walks into the group's fields; typing goes there.
    s = run([{ type: 'focus', delta: 4 }, { type: 'input', text: '6' }], s);
    expect(focusedField(s)?.id).toBe('gs');
    expect(s.values.gs).toBe('6');
    // Closing the group (mouse on its header, or ← on it) while a field inside is focused moves focus to the header.
    s = run([{ type: 'toggleGroup', group: 'sampling', open: false }], s);
    expect(s.expanded).toEqual([]);
    expect(focusedRow(s)).toEqual({ kind: 'group', group: 'sampling' });
    // A group opened above the focus keeps the focus on the same row (Submit stays Submit).
    s = run([{ type: 'focus', delta: 100 }, { type: 'toggleGroup', group: 'directing' }], s);
    expect(focusedRow(s)).toEqual({ kind: 'submit' });
    expect(s.focus).toBe(submitIndex(s));
    // Typing on a header does nothing.
    const before = run([{ type: 'focus', delta: -100 }, { type: 'focus', delta: headerIndexOf('extend', s.expanded) }], s);
    expect(run([{ type: 'input', text: 'x' }], before).values).toEqual(before.values);
  });

  it('a closed group says how many of its fields differ from the defaults and how many have errors', () => {
    let s = initialForm();
    expect(groupHeaderText('sampling', s)).toBe('▸ Advanced sampling (8)');
    s = run([{ type: 'focusField', id: 'cfg' }, { type: 'clearField' }, { type: 'input', text: '3' }, { type: 'focusField', id: 'window' }, { type: 'clearField' }, { type: 'input', text: '0' }], s);
    expect(s.errors.window).toBeTruthy();
    // Open (focusField opened it): no summary, the fields are in view.
    expect(groupHeaderText('sampling', s)).toBe('▾ Advanced sampling (8)');
    s = run([{ type: 'toggleGroup', group: 'sampling' }], s);
    expect(groupHeaderText('sampling', s)).toBe('▸ Advanced sampling (8) · 2 changed · 1 error');
    expect(groupHeaderText('output', s)).toBe('▸ Output & model (6)');
    // A copied job with a non-default value in a closed group says so too.
    const copied = initialForm(JobSpec.parse({ prompt: 'p', cfg: 2, extend: '/v.mp4', extendContext: 9 }));
    expect(groupHeaderText('sampling', copied)).toBe('▸ Advanced sampling (8) · 1 changed');
    expect(groupHeaderText('extend', copied)).toBe('▸ Extend (3) · 2 changed');
  });

  it('a preset loaded into closed groups marks them changed', () => {
    const s = initialForm();
    const applied = applyPreset(s.values, { gs: 6, crf: 20, sampler: 'euler' } as never);
    const loaded = run([{ type: 'replaceValues', values: applied.values }], s);
    expect(loaded.expanded).toEqual([]);
    expect(groupHeaderText('sampling', loaded)).toMatch(/· 2 changed$/);
    expect(groupHeaderText('output', loaded)).toMatch(/· 1 changed$/);
  });

  it('a refused submit opens the closed groups holding errors and focuses the first such field', () => {
    let s = run([{ type: 'focus', delta: 1 }]); // Prompt
    s = run([{ type: 'errors', errors: { image: 'choose a start image', out: 'must end in .mp4 (got /x.mov)', keyframes: 'bad' } }], s);
    expect(s.expanded).toEqual(['directing', 'output']);
    expect(focusedField(s)?.id).toBe('keyframes');
    expect(s.focus).toBe(rowIndexOf('keyframes', s.expanded));
    // A number field opened this way: the first key typed replaces the wrong value.
    const gs = run([{ type: 'focusField', id: 'gs' }, { type: 'clearField' }, { type: 'input', text: '99' }, { type: 'toggleGroup', group: 'sampling' }, { type: 'focusField', id: 'prompt' }]);
    const opened = run([{ type: 'errors', errors: { gs: 'must be 0–32 (got 99)' } }, { type: 'input', text: '6' }], { ...gs, expanded: [] });
    expect(focusedField(opened)?.id).toBe('gs');
    expect(opened.values.gs).toBe('6');
    // Errors only in view (common fields, open groups): the focus stays where it was.
    const t = run([{ type: 'focus', delta: 2 }, { type: 'errors', errors: { image: 'choose a start image', out: 'x' } }], run([{ type: 'toggleGroup', group: 'output' }]));
    expect(t.expanded).toEqual(['output']);
    expect(focusedField(t)?.id).toBe('seconds');
  });

  it('focusField opens the field’s group; the expanded groups carry into a new form', () => {
    const s = run([{ type: 'focusField', id: 'extendJob' }]);
    expect(s.expanded).toEqual(['extend']);
    expect(focusedField(s)?.id).toBe('extendJob');
    const next = initialForm(null, s.expanded);
    expect(rowLabels(next)).toContain('extendJob');
    expect(rowLabels(next)).not.toContain('cfg');
  });
});
