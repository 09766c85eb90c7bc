// What a click hits besides list rows (issue 16 item 9): the panel's tab titles, the status bar's
// key hints, and the new-job form's fields and its Submit button. Pure, from the same geometry the
// components draw with, so a click lands where the text is.

/** The panel tab whose ` TITLE ` label covers column `col` of the title row (0 = the first cell inside the border). */
export function panelTabAt<T extends { id: string; title: string }>(col: number, tabs: readonly T[]): T['id'] | null {
  let x = 0;
  for (const t of tabs) {
    const w = t.title.length + 2;
    if (col >= x && col < x + w) return t.id;
    x += w;
  }
  return null;
}

/** The status bar hint `^P commands  ? help` (or cut: `^P commands  ? …`) is drawn right-aligned; which half a click at `col` hits. */
export function statusHintAt(col: number, width: number, hint: string): 'palette' | 'help' | null {
  if (!hint) return null;
  const start = width - hint.length;
  const at = col - start;
  if (at < 0 || at >= hint.length) return null;
  // The hint may be cut at 80 columns (`^P commands  ? …`): the `?` still stands for help.
  const helpAt = hint.indexOf('?');
  if (helpAt >= 0 && at >= helpAt) return 'help';
  const paletteEnd = hint.includes('commands') ? hint.indexOf('commands') + 'commands'.length : helpAt >= 0 ? helpAt : hint.length;
  return hint.startsWith('^P') && at < paletteEnd ? 'palette' : null;
}

export type FormClick =
  | { kind: 'field'; index: number; cycle: -1 | 0 | 1 }
  | { kind: 'submit' };

/**
 * The form row a click at (`col`, `row`) inside the form hits: `headerRows` key-line rows, then one
 * row per item from `start` (field `index`) to `end` (exclusive; the last item is the Submit button at
 * `submitIndex`). On a choice field, a click on its `‹` or `›` steps the choice; on a toggle's
 * value, toggles it.
 */
export function formClickAt(col: number, row: number, geo: {
  headerRows: number; start: number; end: number; submitIndex: number; labelCols: number;
  kindOf(index: number): string; valueOf(index: number): string;
}): FormClick | null {
  const index = geo.start + row - geo.headerRows;
  if (row < geo.headerRows || index >= geo.end) return null;
  if (index === geo.submitIndex) return col < '[ Submit job ]'.length ? { kind: 'submit' } : null;
  const valueCol = col - (geo.labelCols + 1);
  const kind = geo.kindOf(index);
  if (kind === 'choice') {
    const shownChars = [...`‹ ${geo.valueOf(index)} ›`].length;
    return { kind: 'field', index, cycle: valueCol === 0 ? -1 : valueCol === shownChars - 1 ? 1 : 0 };
  }
  if (kind === 'toggle') return { kind: 'field', index, cycle: valueCol >= 0 && valueCol < 3 ? 1 : 0 };
  return { kind: 'field', index, cycle: 0 };
}
