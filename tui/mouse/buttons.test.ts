import { describe, expect, it } from 'vitest';
import { formClickAt, panelTabAt, statusHintAt } from './buttons.js';

const TABS = [{ id: 'logs', title: 'Logs' }, { id: 'problems', title: 'Problems' }, { id: 'daemon', title: 'Daemon' }] as const;

describe('clickable parts besides lists', () => {
  it('panel tabs: " LOGS  PROBLEMS  DAEMON " by column', () => {
    expect([0, 5, 6, 15, 16, 23, 24].map((c) => panelTabAt(c, TABS))).toEqual(['logs', 'logs', 'problems', 'problems', 'daemon', 'daemon', null]);
  });

  it('status bar hint: ^P commands opens the palette, ? help the help', () => {
    const hint = '^P commands  ? help'; // 19 columns, right-aligned in 80
    expect(statusHintAt(61, 80, hint)).toBe('palette');
    expect(statusHintAt(71, 80, hint)).toBe('palette');
    expect(statusHintAt(74, 80, hint)).toBe('help');
    expect(statusHintAt(79, 80, hint)).toBe('help');
    expect(statusHintAt(60, 80, hint)).toBeNull();
    expect(statusHintAt(73, 80, '')).toBeNull();
    // Cut at 80 columns beside the RAM gauge.
    expect(statusHintAt(78, 80, '^P commands  ? …')).toBe('help');
    expect(statusHintAt(65, 80, '^P commands  ? …')).toBe('palette');
  });

  it('form: rows to fields, ‹ › step a choice, a toggle value toggles, the Submit button', () => {
    const kinds = ['path', 'text', 'choice', 'toggle'];
    const geo = { headerRows: 1, start: 0, end: 5, submitIndex: 4, labelCols: 13, kindOf: (i: number) => kinds[i]!, valueOf: (i: number) => (i === 2 ? 'inverted' : 'on') };
    expect(formClickAt(3, 0, geo)).toBeNull();
    expect(formClickAt(3, 1, geo)).toEqual({ kind: 'field', index: 0, cycle: 0 });
    expect(formClickAt(14, 3, geo)).toEqual({ kind: 'field', index: 2, cycle: -1 });
    expect(formClickAt(14 + 11, 3, geo)).toEqual({ kind: 'field', index: 2, cycle: 1 }); // '‹ inverted ›' is 12 wide
    expect(formClickAt(18, 3, geo)).toEqual({ kind: 'field', index: 2, cycle: 0 });
    expect(formClickAt(15, 4, geo)).toEqual({ kind: 'field', index: 3, cycle: 1 });
    expect(formClickAt(2, 4, geo)).toEqual({ kind: 'field', index: 3, cycle: 0 });
    expect(formClickAt(5, 5, geo)).toEqual({ kind: 'submit' });
    expect(formClickAt(5, 6, geo)).toBeNull();
    expect(formClickAt(5, 3, { ...geo, start: 2 })).toEqual({ kind: 'submit' });
  });
});
