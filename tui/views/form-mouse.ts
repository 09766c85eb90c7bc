// Clicks on the new-job form (issue 16 item 9): a click on a field moves the form's focus there
// (and the keyboard focus to the editor), a click on a choice's ‹ or › steps it, on a toggle's box
// toggles it, a click on a group's header (`▸ Advanced sampling (8)`) opens or closes it, and a
// click on [ Submit job ] submits, as Enter on it does. Where a click lands is
// worked out by formClickAt (mouse/buttons.ts) from the rows the form draws.
import type { Dispatch } from 'react';
import { formClickAt } from '../mouse/buttons.js';
import { inBox } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { Part } from '../workbench/parts.js';
import { type FormAction, type FormState } from './form-state.js';
import { formRows } from './form-groups.js';

export interface FormMouseGeometry {
  /** The form's top-left cell on the screen, and its size. */
  x: number;
  y: number;
  width: number;
  height: number;
  headerRows: number;
  /** The rows shown: start…end-1 of formRows (fields, group headers, the button last). */
  start: number;
  end: number;
  labelCols: number;
}

export function useFormMouse(state: FormState, dispatch: Dispatch<FormAction>, geo: FormMouseGeometry | null, submit: () => void): void {
  const layoutDispatch = useLayoutDispatch();
  useMouse((e) => {
    if (!geo || e.kind !== 'press' || e.button !== 0) return;
    const at = inBox(e, geo);
    if (!at) return;
    const rows = formRows(state.expanded);
    const fieldAt = (i: number) => { const r = rows[i]; return r?.kind === 'field' ? r.field : undefined; };
    const hit = formClickAt(at.col, at.row, {
      headerRows: geo.headerRows, start: geo.start, end: geo.end, submitIndex: rows.length - 1, labelCols: geo.labelCols,
      kindOf: (i) => (rows[i]?.kind === 'group' ? 'group' : fieldAt(i)?.kind ?? 'text'), valueOf: (i) => { const f = fieldAt(i); return f ? state.values[f.id] : ''; },
    });
    if (!hit) return;
    layoutDispatch({ type: 'focus', part: Part.editor });
    const index = hit.kind === 'submit' ? rows.length - 1 : hit.index;
    // The reducer applies these in order: focus first, so `cycle` acts on the clicked field.
    dispatch({ type: 'focus', delta: index - state.focus });
    const row = rows[index];
    if (row?.kind === 'group') dispatch({ type: 'toggleGroup', group: row.group });
    if (hit.kind === 'field' && hit.cycle !== 0) dispatch({ type: 'cycle', delta: hit.cycle });
    if (hit.kind === 'submit') submit();
  });
}
