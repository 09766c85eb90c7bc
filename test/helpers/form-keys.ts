// Keys that move the new-job form's focus to a field in a real terminal, worked out from the form's
// own layout (tui/views/form-groups.ts), so tmux tests name fields instead of counting rows: a field
// in a closed group is reached by moving to its header and pressing Enter (which opens it), then
// down into it. Tracks what it opened, as the form does for the session.
import type { FieldId } from '../../tui/views/form-state.js';
import { formRows, groupOf, headerIndexOf, rowIndexOf, type GroupId } from '../../tui/views/form-groups.js';

export class FormNav {
  focus: number;
  expanded: GroupId[];

  /** `at`: the field focused now (a new form starts on Image); `expanded`: the groups open now. */
  constructor(at: FieldId = 'image', expanded: GroupId[] = []) {
    this.expanded = [...expanded];
    this.focus = rowIndexOf(at, this.expanded);
    if (this.focus < 0) throw new Error(`${at} is in a closed group`);
  }

  /** tmux key names (Down, Up, Enter) from the focus now to the field `id`. */
  to(id: FieldId): string[] {
    const keys: string[] = [];
    const group = groupOf(id);
    if (group && !this.expanded.includes(group)) {
      keys.push(...this.moveTo(headerIndexOf(group, this.expanded)), 'Enter');
      this.expanded = formRows([...this.expanded, group]).flatMap((r) => (r.kind === 'group' && (r.group === group || this.expanded.includes(r.group)) ? [r.group] : []));
    }
    keys.push(...this.moveTo(rowIndexOf(id, this.expanded)));
    return keys;
  }

  /** Keys to the [ Submit job ] button. */
  toSubmit(): string[] {
    return this.moveTo(formRows(this.expanded).length - 1);
  }

  /** Keys to a group's header (to() opens a closed group by itself). */
  toHeader(group: GroupId): string[] {
    return this.moveTo(headerIndexOf(group, this.expanded));
  }

  /** Keys that open or close a group: to its header, then Enter (the focus stays on the header). */
  toggle(group: GroupId): string[] {
    const keys = [...this.toHeader(group), 'Enter'];
    const open = !this.expanded.includes(group);
    this.expanded = formRows([...this.expanded, group]).flatMap((r) => (r.kind === 'group' && (r.group === group ? open : this.expanded.includes(r.group)) ? [r.group] : []));
    this.focus = headerIndexOf(group, this.expanded);
    return keys;
  }

  private moveTo(index: number): string[] {
    const delta = index - this.focus;
    this.focus = index;
    return Array<string>(Math.abs(delta)).fill(delta > 0 ? 'Down' : 'Up');
  }
}
