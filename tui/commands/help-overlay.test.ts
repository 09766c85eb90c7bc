import { describe, expect, it } from 'vitest';
import { formHeader } from '../views/new-job-form.js';
import { FORM_KEYS, helpLines, helpRows, scrollHelp } from './help-overlay.js';

describe('the key help and the form key line (issue 16 item 8)', () => {
  it('wraps long lines under the description column instead of cutting them', () => {
    const rows = helpRows([`${'New-job form'.padEnd(16)} ${FORM_KEYS}`, 'q                Workbench: Quit'], 80);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.every((r) => [...r.text].length <= 80)).toBe(true);
    const joined = rows.map((r) => r.text.trim()).join(' ');
    expect(joined).toContain('Esc leave');
    expect(rows[1]!.text.startsWith(' '.repeat(17))).toBe(true);
  });

  it('scrolls by row and page and stays within the last page', () => {
    expect(scrollHelp(0, 'down', 30, 14)).toBe(1);
    expect(scrollHelp(0, 'up', 30, 14)).toBe(0);
    expect(scrollHelp(0, 'pagedown', 30, 14)).toBe(13);
    expect(scrollHelp(13, 'pagedown', 30, 14)).toBe(16);
    expect(scrollHelp(5, 'end', 30, 14)).toBe(16);
    expect(scrollHelp(5, 'home', 30, 14)).toBe(0);
    expect(scrollHelp(0, 'x', 30, 14)).toBeNull(); // closes
  });

  it('the form key line shows every form key at 120 columns and the essentials at 80', () => {
    const wide = formHeader(79, false); // the editor's inner width at 120 columns
    expect(wide.length).toBeLessThanOrEqual(2);
    expect(wide.join(' ')).toContain('Ctrl+R random seed');
    expect(wide.join(' ')).toContain('Esc leave');
    expect(wide.every((r) => [...r].length <= 79 && !r.endsWith('…'))).toBe(true);
    const narrow = formHeader(51, false);
    expect(narrow).toHaveLength(1);
    expect([...narrow[0]!].length).toBeLessThanOrEqual(51);
  });

  it('the help tells how the form’s groups open, uncut at 80 columns (an editor of 51)', () => {
    const lines = helpLines([], {});
    const groups = lines.find((l) => l.startsWith('Form groups'));
    expect(groups).toContain('Enter or Space on one opens or closes the group');
    for (const line of lines.slice(-6)) { // every key line under the commands
      const rows = helpRows([line], 51);
      expect(rows.at(-1)!.text.endsWith('…'), line).toBe(false);
    }
  });
});
