import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { chordOf, chordsFor, DEFAULT_KEYBINDINGS, displayChord, mergeKeybindings } from './keybindings.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('keybindings', () => {
  it('normalizes Ink keys to chords', () => {
    expect(chordOf('p', { ...none, ctrl: true })).toBe('ctrl+p');
    expect(chordOf('', { ...none, tab: true, shift: true })).toBe('shift+tab');
    expect(chordOf('', { ...none, upArrow: true })).toBe('up');
    expect(chordOf('\r', { ...none, return: true })).toBe('enter');
    expect(chordOf('', { ...none, escape: true, meta: true })).toBe('escape');
    expect(chordOf('?', none)).toBe('?');
    expect(chordOf('C', { ...none, shift: true })).toBe('C');
  });

  it('binds the palette to Ctrl+P and F1, and applies user overrides', () => {
    expect(chordsFor(DEFAULT_KEYBINDINGS, 'workbench.commandPalette')).toEqual(['Ctrl+P', 'F1']);
    const merged = mergeKeybindings({ q: '', 'ctrl+q': 'workbench.quit' });
    expect(merged.q).toBeUndefined();
    expect(chordsFor(merged, 'workbench.quit')).toEqual(['Ctrl+C', 'Ctrl+Q']);
    expect(displayChord('shift+tab')).toBe('Shift+Tab');
  });
});
