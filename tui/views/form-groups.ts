// The new-job form's layout: the fields a new user needs first (what the official demo shows up
// front: image, prompt, length, seed, steps, TeaCache — plus the preset name), then the expert
// fields in collapsible groups, each one header row (`▸ Advanced sampling (8) · 2 changed`), as
// FramePack-Studio's "Advanced" accordions. The form's focus is an index into the rows shown
// (formRows): common fields, group headers, the fields of open groups, then Submit. Pure.
//
// This module and form-state.ts import each other; FIELDS and valuesFromSpec are only read inside
// functions here (never while the modules load), so either may be imported first.
import { FIELDS, valuesFromSpec, type FieldDef, type FieldId, type FormState, type FormValues } from './form-state.js';

export type GroupId = 'directing' | 'sampling' | 'output' | 'extend';

export interface FieldGroup {
  id: GroupId;
  label: string;
  fields: readonly FieldId[];
}

/** Always shown, in this order. */
export const COMMON_FIELDS: readonly FieldId[] = ['image', 'prompt', 'seconds', 'seed', 'steps', 'teacache', 'preset'];

/** The collapsible groups, in this order; a field in FIELDS listed nowhere here joins the last group (never lost). */
export const FIELD_GROUPS: readonly FieldGroup[] = [
  { id: 'directing', label: 'Directing', fields: ['promptBlend', 'endImage', 'endStrength', 'keyframes'] },
  { id: 'sampling', label: 'Advanced sampling', fields: ['mode', 'sampler', 'negativePrompt', 'gs', 'cfg', 'rs', 'window', 'shift'] },
  { id: 'output', label: 'Output & model', fields: ['model', 'loras', 'resolution', 'out', 'crf', 'keepAlive'] },
  { id: 'extend', label: 'Extend', fields: ['extend', 'extendContext', 'extendJob'] },
];

export const GROUP_IDS: readonly GroupId[] = FIELD_GROUPS.map((g) => g.id);

export type FormRow = { kind: 'field'; field: FieldDef } | { kind: 'group'; group: GroupId } | { kind: 'submit' };

/** The fields of a group, as FIELDS defines them (the last group also takes any field placed nowhere). */
export function groupFields(group: GroupId): FieldDef[] {
  const placed = new Set<FieldId>([...COMMON_FIELDS, ...FIELD_GROUPS.flatMap((g) => g.fields)]);
  const g = FIELD_GROUPS.find((x) => x.id === group)!;
  const own = g.fields.map((id) => FIELDS.find((f) => f.id === id)).filter((f): f is FieldDef => f !== undefined);
  return group === FIELD_GROUPS.at(-1)!.id ? [...own, ...FIELDS.filter((f) => !placed.has(f.id))] : own;
}

/** The group a field sits in, or null for a common field. */
export function groupOf(id: FieldId): GroupId | null {
  if (COMMON_FIELDS.includes(id)) return null;
  return GROUP_IDS.find((g) => groupFields(g).some((f) => f.id === id)) ?? null;
}

/** The rows the form shows with these groups open. */
export function formRows(expanded: readonly GroupId[]): FormRow[] {
  const rows: FormRow[] = COMMON_FIELDS.map((id) => FIELDS.find((f) => f.id === id)).filter((f): f is FieldDef => f !== undefined).map((field) => ({ kind: 'field', field }));
  for (const g of FIELD_GROUPS) {
    rows.push({ kind: 'group', group: g.id });
    if (expanded.includes(g.id)) rows.push(...groupFields(g.id).map((field) => ({ kind: 'field' as const, field })));
  }
  rows.push({ kind: 'submit' });
  return rows;
}

/** Focus index of the Submit button (the last row). */
export function submitIndex(state: Pick<FormState, 'expanded'>): number {
  return formRows(state.expanded).length - 1;
}

export function focusedRow(state: Pick<FormState, 'expanded' | 'focus'>): FormRow | undefined {
  return formRows(state.expanded)[state.focus];
}

/** The focused field (undefined on a group header or Submit). */
export function focusedField(state: Pick<FormState, 'expanded' | 'focus'>): FieldDef | undefined {
  const row = focusedRow(state);
  return row?.kind === 'field' ? row.field : undefined;
}

/** Row index of a field with these groups open, or -1 when its group is closed. */
export function rowIndexOf(id: FieldId, expanded: readonly GroupId[] = []): number {
  return formRows(expanded).findIndex((r) => r.kind === 'field' && r.field.id === id);
}

/** Row index of a group's header. */
export function headerIndexOf(group: GroupId, expanded: readonly GroupId[] = []): number {
  return formRows(expanded).findIndex((r) => r.kind === 'group' && r.group === group);
}

/** Open (or close) a group; the focus stays on the row it was on (rows above a header never move). */
export function toggleGroup(state: FormState, group: GroupId, open = !state.expanded.includes(group)): FormState {
  if (open === state.expanded.includes(group)) return state;
  const focused = focusedRow(state);
  const expanded = open ? GROUP_IDS.filter((g) => g === group || state.expanded.includes(g)) : state.expanded.filter((g) => g !== group);
  const rows = formRows(expanded);
  // A field of the group being closed hands the focus to its header.
  let focus = focused?.kind === 'field' && !open && groupOf(focused.field.id) === group ? rows.findIndex((r) => r.kind === 'group' && r.group === group) : rows.findIndex((r) => sameRow(r, focused));
  if (focus < 0) focus = Math.min(state.focus, rows.length - 1);
  return { ...state, expanded, focus };
}

function sameRow(a: FormRow, b: FormRow | undefined): boolean {
  if (!b || a.kind !== b.kind) return false;
  if (a.kind === 'field') return b.kind === 'field' && a.field.id === b.field.id;
  if (a.kind === 'group') return b.kind === 'group' && a.group === b.group;
  return true;
}

/** Focus a field, opening its group when it is closed. */
export function focusFieldRow(state: FormState, id: FieldId): FormState {
  const g = groupOf(id);
  const expanded = g && !state.expanded.includes(g) ? GROUP_IDS.filter((x) => x === g || state.expanded.includes(x)) : state.expanded;
  const focus = rowIndexOf(id, expanded);
  return focus < 0 ? state : { ...state, expanded, focus };
}

/**
 * After a refused submit (or preset save): every closed group holding an error opens and the
 * focus goes to the first such field, so the problem is on screen. Errors in open groups or common
 * fields leave the layout and focus as they were.
 */
export function revealErrors(state: FormState): FormState {
  const hidden = formRowsAll().filter((f) => state.errors[f.id] && !fieldVisible(f.id, state.expanded));
  if (hidden.length === 0) return state;
  const open = new Set<GroupId>([...state.expanded, ...hidden.map((f) => groupOf(f.id)!)]);
  const expanded = GROUP_IDS.filter((g) => open.has(g));
  // As after any move onto a number field, the first key typed there replaces the wrong value.
  return { ...state, expanded, focus: rowIndexOf(hidden[0]!.id, expanded), replaceOnType: hidden[0]!.kind === 'number' };
}

/** Every field in display order (common fields, then each group's). */
function formRowsAll(): FieldDef[] {
  return formRows(GROUP_IDS).flatMap((r) => (r.kind === 'field' ? [r.field] : []));
}

function fieldVisible(id: FieldId, expanded: readonly GroupId[]): boolean {
  const g = groupOf(id);
  return g === null || expanded.includes(g);
}

let defaultValues: FormValues | null = null;

export interface GroupSummary {
  count: number;
  /** Fields whose value differs from the daemon's default (a copied job's, a preset's, typed). */
  changed: number;
  errors: number;
}

export function groupSummary(group: GroupId, state: Pick<FormState, 'values' | 'errors'>): GroupSummary {
  defaultValues ??= valuesFromSpec({});
  const fields = groupFields(group);
  return {
    count: fields.length,
    changed: fields.filter((f) => state.values[f.id].trim() !== defaultValues![f.id].trim()).length,
    errors: fields.filter((f) => state.errors[f.id]).length,
  };
}

/** The header row's text: `▸ Advanced sampling (8) · 2 changed · 1 error` when closed, `▾ Advanced sampling (8)` when open. */
export function groupHeaderText(group: GroupId, state: Pick<FormState, 'values' | 'errors' | 'expanded'>): string {
  const label = FIELD_GROUPS.find((g) => g.id === group)!.label;
  const s = groupSummary(group, state);
  const open = state.expanded.includes(group);
  const notes = open ? [] : [s.changed ? `${s.changed} changed` : '', s.errors ? `${s.errors} error${s.errors === 1 ? '' : 's'}` : ''].filter(Boolean);
  return [`${open ? '▾' : '▸'} ${label} (${s.count})`, ...notes].join(' · ');
}
