// Clicks on the new-job form (issue 16 item 9): a click on a field moves the form's focus there
// (and the keyboard focus to the editor), a click on a choice's ‹ or › steps it, on a toggle's box
// toggles it, and a click on [ Submit job ] submits, as Enter on it does. Where a click lands is
// worked out by formClickAt (mouse/buttons.ts) from the rows the form draws.
import type { Dispatch } from 'react';
import { formClickAt } from '../mouse/buttons.js';
import { inBox } from '../mouse/hit.js';
import { useMouse } from '../mouse/mouse-context.js';
import { useLayoutDispatch } from '../workbench/layout-context.js';
import { Part } from '../workbench/parts.js';
import { FIELDS, SUBMIT_INDEX, type FormAction, type FormState } from './form-state.js';

export interface FormMouseGeometry {
  /** The form's top-left cell on the screen, and its size. */
  x: number;
  y: number;
  width: number;
  height: number;
  headerRows: number;
  /** The items shown: fields start…end-1 (SUBMIT_INDEX is the button). */
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
    const hit = formClickAt(at.col, at.row, {
      headerRows: geo.headerRows, start: geo.start, end: geo.end, submitIndex: SUBMIT_INDEX, labelCols: geo.labelCols,
      kindOf: (i) => FIELDS[i]?.kind ?? 'text', valueOf: (i) => (FIELDS[i] ? state.values[FIELDS[i]!.id] : ''),
    });
    if (!hit) return;
    layoutDispatch({ type: 'focus', part: Part.editor });
    const index = hit.kind === 'submit' ? SUBMIT_INDEX : hit.index;
    // The reducer applies these in order: focus first, so `cycle` acts on the clicked field.
    dispatch({ type: 'focus', delta: index - state.focus });
    if (hit.kind === 'field' && hit.cycle !== 0) dispatch({ type: 'cycle', delta: hit.cycle });
    if (hit.kind === 'submit') submit();
  });
}
