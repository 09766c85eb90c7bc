// `npm test`: runs the whole vitest suite and ends with the plain line `N passed, N failed,
// N skipped` computed from vitest's JSON report (CI recognises that line, not vitest's summary).
// The suite runs with TMPDIR pointing at a fresh folder of its own; whatever is left in it at the
// end was left by a test, and fails the run with the list of paths (issue 15, item 13).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { summarizeReport, type JsonReport } from './test-summary.js';
import { describeLeftovers, diskBytes, linkSharedCaches, newEntries } from './temp-leftovers.js';

const root = path.resolve(import.meta.dirname, '..');
// FRAMEPACK_TEST_REPORT: another report path (scripts/run-tests.test.ts runs this script inside a run).
const reportPath = process.env.FRAMEPACK_TEST_REPORT ?? path.join(root, '.test-report.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

const systemTmp = os.tmpdir();
// Short on purpose: tests put Unix socket paths (≤ 107 bytes) under it.
const runTmp = mkdtempSync(path.join(systemTmp, 'fpt-'));
const uid = process.getuid?.() ?? os.userInfo().username;
linkSharedCaches(systemTmp, runTmp, uid);
const before = readdirSync(runTmp);

await rm(reportPath, { force: true });
const args = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...process.argv.slice(2)];
const code: number = await new Promise((resolve) => {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: runTmp } });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

const leftovers = newEntries(before, readdirSync(runTmp)).map((name) => ({ name, bytes: diskBytes(path.join(runTmp, name)) }));
const leftoverText = describeLeftovers(runTmp, leftovers);
// FRAMEPACK_KEEP_TEST_TMP=1 keeps the folder for a look at what was left.
if (process.env.FRAMEPACK_KEEP_TEST_TMP !== '1') rmSync(runTmp, { recursive: true, force: true });

let report: JsonReport | undefined;
try { report = JSON.parse(await readFile(reportPath, 'utf8')) as JsonReport; } catch { /* reported below */ }
if (!report) {
  console.log(`vitest exited with ${code} and wrote no report`);
  if (leftoverText) console.log(leftoverText);
  console.log('0 passed, 1 failed');
  process.exit(code || 1);
}
const summary = summarizeReport(report);
if (leftoverText) {
  console.log(leftoverText);
  // One more failure in the summary line, so CI, which reads only that line, fails too.
  console.log(`${summary.passed} passed, ${summary.failed + 1} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}`);
  process.exit(1);
}
console.log(summary.line);
process.exit(code !== 0 || summary.failed > 0 ? 1 : report.numTotalTests === 0 ? 1 : 0);
