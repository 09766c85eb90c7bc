import { describe, expect, it } from 'vitest';
import { formatBytes, formatUntil, table } from './format.js';

describe('CLI formatting', () => {
  it('formats bytes and ollama-style expiry', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(25 * 1024 ** 3)).toBe('25.0 GiB');
    const now = Date.UTC(2026, 0, 1);
    expect(formatUntil(new Date(now + 240_000).toISOString(), 300_000, 0, now)).toBe('4 minutes from now');
    expect(formatUntil(null, -1, 0, now)).toBe('Forever');
    expect(formatUntil(null, 300_000, 2, now)).toBe('in use');
  });

  it('aligns columns', () => {
    expect(table([['A', 'BB'], ['ccc', 'd']])).toBe('A    BB\nccc  d');
  });
});
