import { describe, expect, it } from 'vitest';
import { KEEP_ALIVE_FOREVER_MS, KeepAlive, keepAliveToMs } from './keep-alive.js';

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

  it('the schema accepts the grammar without transforming it', () => {
    expect(KeepAlive.parse('5m')).toBe('5m');
    expect(KeepAlive.parse(-1)).toBe(-1);
    expect(KeepAlive.safeParse('soon').success).toBe(false);
    expect(KeepAlive.safeParse(true).success).toBe(false);
  });
});
