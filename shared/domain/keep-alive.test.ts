import { describe, expect, it } from 'vitest';
import { KEEP_ALIVE_FOREVER_MS, KeepAlive, keepAliveToMs, MAX_KEEP_ALIVE_MS } from './keep-alive.js';

describe('keepAliveToMs', () => {
  it('normalizes durations, seconds, 0 and -1 to milliseconds', () => {
    expect(
      ['5m', '30s', '1h', '1h30m', '250ms', '1.5s', 90, '90', 0, '0', -1, '-1', 0.25].map((v) => keepAliveToMs(v)),
    ).toEqual([300_000, 30_000, 3_600_000, 5_400_000, 250, 1_500, 90_000, 90_000, 0, 0, KEEP_ALIVE_FOREVER_MS, KEEP_ALIVE_FOREVER_MS, 250]);
  });

  it('rejects what is not a duration, with a message naming the grammar', () => {
    for (const bad of ['5 minutes', 'm', '', '5d', Number.NaN, Number.POSITIVE_INFINITY, '1h-5m']) {
      expect(() => keepAliveToMs(bad), String(bad)).toThrow(/keepAlive/);
    }
  });

  it('refuses negative values other than -1 and values above the longest timer (issue 15 item 11)', () => {
    for (const bad of [-2, '-2', -0.5, -1e12]) expect(() => keepAliveToMs(bad), String(bad)).toThrow(/the only negative value is -1/);
    for (const bad of [1e12, '1000000000000', 2_147_484, '2147484s', '597h', '35792m']) {
      expect(() => keepAliveToMs(bad), String(bad)).toThrow(/above the longest timer \(2147483647 ms.*use -1/);
    }
    expect(keepAliveToMs(2_147_483.647)).toBe(MAX_KEEP_ALIVE_MS);
    expect(keepAliveToMs('596h31m23s647ms')).toBe(MAX_KEEP_ALIVE_MS);
    expect(KeepAlive.safeParse(1e12).success).toBe(false);
    expect(KeepAlive.safeParse(-2).success).toBe(false);
  });

  it('the schema accepts the grammar without transforming it', () => {
    expect(KeepAlive.parse('5m')).toBe('5m');
    expect(KeepAlive.parse(-1)).toBe(-1);
    expect(KeepAlive.safeParse('soon').success).toBe(false);
    expect(KeepAlive.safeParse(true).success).toBe(false);
  });
});
