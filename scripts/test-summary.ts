// The `N passed, N failed[, N skipped]` line `npm test` ends with, from vitest's JSON report.
// A test file that fails outside its tests (an import error, a failing beforeAll) has no failed
// test: vitest reports its tests as skipped, or none at all. Those count as failed here, so the
// line never says "0 failed" for a run that failed.

export interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  testResults?: { name: string; status: string; assertionResults: { status: string }[] }[];
}

export interface TestSummary { passed: number; failed: number; skipped: number; line: string }

export function summarizeReport(report: JsonReport): TestSummary {
  let failed = report.numFailedTests;
  let skipped = report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed' || file.assertionResults.some((a) => a.status === 'failed')) continue;
    const notRun = file.assertionResults.filter((a) => a.status !== 'passed').length;
    failed += Math.max(1, notRun);
    skipped -= notRun;
  }
  return { passed: report.numPassedTests, failed, skipped, line: `${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}` };
}
