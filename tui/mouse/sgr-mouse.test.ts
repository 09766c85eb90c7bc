import { describe, expect, it } from 'vitest';
import { decodeReport, splitMouse } from './sgr-mouse.js';

const NO_MODS = { shift: false, ctrl: false, meta: false };

describe('SGR mouse reports', () => {
  it('cuts clicks and wheel out of the input and keeps the keys around them in order', () => {
    const s = splitMouse('j\x1b[<0;12;5Mk\x1b[<0;12;5m\x1b[<64;3;40M\x1b[<65;3;40M\x1b');
    expect(s.events).toEqual([
      { kind: 'press', button: 0, x: 11, y: 4, ...NO_MODS },
      { kind: 'release', button: 0, x: 11, y: 4, ...NO_MODS },
      { kind: 'wheel-up', button: 0, x: 2, y: 39, ...NO_MODS },
      { kind: 'wheel-down', button: 0, x: 2, y: 39, ...NO_MODS },
    ]);
    expect(s.text).toBe('jk\x1b'); // the trailing Esc key goes to Ink at once
    expect(s.pending).toBe('');
  });

  it('holds a report cut at the end of a chunk until the next one', () => {
    const a = splitMouse('x\x1b[<2;100;4');
    expect([a.events, a.text, a.pending]).toEqual([[], 'x', '\x1b[<2;100;4']);
    const b = splitMouse(`${a.pending}0M`);
    expect(b.events).toEqual([{ kind: 'press', button: 2, x: 99, y: 39, ...NO_MODS }]);
    expect(b.text).toBe('');
  });

  it('reads modifiers and drops motion and extra buttons', () => {
    expect(decodeReport(16, 1, 1, 'M')).toEqual({ kind: 'press', button: 0, x: 0, y: 0, shift: false, ctrl: true, meta: false });
    expect(decodeReport(4 | 65, 5, 6, 'M')).toMatchObject({ kind: 'wheel-down', shift: true });
    expect(decodeReport(32, 5, 6, 'M')).toBeNull();
    expect(decodeReport(128, 5, 6, 'M')).toBeNull();
    // Arrow keys and other CSI sequences are not mouse reports.
    expect(splitMouse('\x1b[A\x1b[<').text).toBe('\x1b[A');
  });
});
