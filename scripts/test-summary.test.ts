import { describe, expect, it } from 'vitest';
import { summarizeReport, type JsonReport } from './test-summary.js';

const base = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0 };
const file = (status: string, ...tests: string[]) => ({ name: 'x.test.ts', status, assertionResults: tests.map((s) => ({ status: s })) });

describe('summarizeReport', () => {
  it('counts passed, failed and skipped tests', () => {
    const r: JsonReport = { ...base, numPassedTests: 3, numFailedTests: 1, numPendingTests: 1, numTotalTests: 5,
      testResults: [file('failed', 'passed', 'failed', 'pending'), file('passed', 'passed', 'passed')] };
    expect(summarizeReport(r).line).toBe('3 passed, 1 failed, 1 skipped');
  });
  it('a file that failed outside its tests (a failing beforeAll: all tests skipped) counts its tests as failed', () => {
    // The CI run that failed on ETXTBSY in a beforeAll reported "728 passed, 0 failed, 4 skipped".
    const r: JsonReport = { ...base, numPassedTests: 728, numPendingTests: 4, numTotalTests: 732,
      testResults: [file('failed', 'pending', 'pending', 'pending', 'pending'), file('passed', 'passed')] };
    expect(summarizeReport(r)).toMatchObject({ passed: 728, failed: 4, skipped: 0, line: '728 passed, 4 failed' });
  });
  it('a file that failed to load (no tests) counts as one failure; skips in passing files stay skips', () => {
    const r: JsonReport = { ...base, numPassedTests: 2, numPendingTests: 1, numTotalTests: 3,
      testResults: [file('failed'), file('passed', 'passed', 'passed', 'skipped')] };
    expect(summarizeReport(r).line).toBe('2 passed, 1 failed, 1 skipped');
  });
});
