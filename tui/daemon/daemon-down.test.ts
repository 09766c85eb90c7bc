import { describe, expect, it } from 'vitest';
import { describeDaemonDown } from './daemon-down.js';

const record = (level: string, msg: string, extra: object = {}) => JSON.stringify({ time: '2026-12-04T21:00:00Z', level, msg, ...extra });

describe('describeDaemonDown', () => {
  it('a killed daemon: names the pid as gone and the last thing its log says', () => {
    const tail = [record('info', 'job started'), record('info', 'section 1 done')].join('\n');
    expect(describeDaemonDown({ pid: 42, pidAlive: false, note: null, logTail: tail })).toBe('the daemon (pid 42) is gone; its log ends: info section 1 done');
  });

  it('an error record or a crash stack in the log is the reason', () => {
    const tail = [record('info', 'job started'), record('error', 'engine crashed', { error: 'RangeError: bad shape\n  at x' }), record('info', 'shutting down')].join('\n');
    expect(describeDaemonDown({ pid: 42, pidAlive: false, note: null, logTail: tail })).toBe('the daemon (pid 42) is gone: engine crashed: RangeError: bad shape');
    const stack = 'node:internal/x\n    throw err;\nTypeError: Cannot read properties of undefined (reading \'x\')\n    at main (/a.ts:1:1)';
    expect(describeDaemonDown({ pid: null, pidAlive: false, note: null, logTail: stack })).toBe("the daemon is not running: TypeError: Cannot read properties of undefined (reading 'x')");
  });

  it('the start-failure note beside the socket wins over the log', () => {
    expect(describeDaemonDown({ pid: null, pidAlive: false, note: 'the data dir is full', logTail: record('error', 'other') })).toBe('the daemon is not running: the data dir is full');
  });

  it('a live pid that does not answer, and an empty log, are said as such', () => {
    expect(describeDaemonDown({ pid: 7, pidAlive: true, note: null, logTail: '' })).toBe('the daemon (pid 7) does not answer; its log is empty');
  });
});
