import { describe, expect, it } from 'vitest';
import { appendLog, formatLogLine, type LogLine } from './logs-store.js';

const line = (i: number, fields?: Record<string, unknown>): LogLine => ({ time: '2026-11-28T03:04:05.000Z', level: 'info', scope: 'job', message: `m${i}`, ...(fields ? { fields } : {}) });

describe('logs store', () => {
  it('keeps the newest lines only', () => {
    let lines: LogLine[] = [];
    for (let i = 0; i < 7; i++) lines = appendLog(lines, line(i), 5);
    expect(lines.map((l) => l.message)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('formats time, level, scope, message and the useful fields', () => {
    expect(formatLogLine(line(1, { component: 'vae', pid: 3, reason: 'keep-alive-expired' }))).toBe('03:04:05 info  job       m1 component=vae reason=keep-alive-expired');
  });
});
