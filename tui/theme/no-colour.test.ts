import { describe, expect, it } from 'vitest';
import { colourAllowed, stripColourSgr } from './no-colour.js';

describe('NO_COLOR', () => {
  it('is on with NO_COLOR set or TERM=dumb', () => {
    expect(colourAllowed({ NO_COLOR: '1' })).toBe(false);
    expect(colourAllowed({ TERM: 'dumb' })).toBe(false);
    expect(colourAllowed({ NO_COLOR: '', TERM: 'xterm-256color' })).toBe(true);
  });

  it('takes colours out of SGR sequences and keeps bold, inverse and resets', () => {
    expect(stripColourSgr('\x1b[36mcyan\x1b[39m')).toBe('cyan');
    expect(stripColourSgr('\x1b[1;31mbold red\x1b[22;39m')).toBe('\x1b[1mbold red\x1b[22m');
    expect(stripColourSgr('\x1b[7m\x1b[44msel\x1b[49m\x1b[27m')).toBe('\x1b[7msel\x1b[27m');
    expect(stripColourSgr('\x1b[38;2;10;20;30m\x1b[48;5;200m▀\x1b[0m')).toBe('▀\x1b[0m');
    expect(stripColourSgr('\x1b[38;5;12;1mx\x1b[m')).toBe('\x1b[1mx\x1b[m');
    expect(stripColourSgr('\x1b[38:2::1:2:3;4mx')).toBe('\x1b[4mx');
    expect(stripColourSgr('\x1b[90;100mx\x1b[2J\x1b[?1000h')).toBe('x\x1b[2J\x1b[?1000h');
  });
});
