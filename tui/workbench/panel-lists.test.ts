import { describe, expect, it } from 'vitest';
import { logWindow, moveSelection, scrollLogs } from './panel-lists.js';

describe('panel lists', () => {
  it('Logs: 0 follows the newest lines; Home shows the oldest; End follows again', () => {
    expect(logWindow(12, 4, 0)).toEqual([8, 12]);
    expect(logWindow(3, 4, 0)).toEqual([0, 3]);
    const home = scrollLogs(0, 'home', 12, 3)!;
    expect(logWindow(12, 3, home)).toEqual([0, 3]);
    expect(logWindow(12, 3, scrollLogs(home, 'down', 12, 3)!)).toEqual([1, 4]);
    expect(scrollLogs(home, 'up', 12, 3)).toBe(home); // no further back than the oldest
    expect(scrollLogs(5, 'end', 12, 3)).toBe(0);
    expect(scrollLogs(0, 'pageup', 12, 3)).toBe(2);
    expect(scrollLogs(0, 'x', 12, 3)).toBeNull();
  });

  it('Problems: the selection stays within the list', () => {
    expect(moveSelection(0, 'up', 3)).toBe(0);
    expect(moveSelection(0, 'j', 3)).toBe(1);
    expect(moveSelection(1, 'end', 3)).toBe(2);
    expect(moveSelection(2, 'down', 3)).toBe(2);
    expect(moveSelection(2, 'enter', 3)).toBeNull();
  });
});
