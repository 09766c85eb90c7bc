// `npm test`: runs the whole vitest suite and ends with the plain line `N passed, N failed,
// N skipped` computed from vitest's JSON report (CI recognises that line, not vitest's summary).
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { summarizeReport, type JsonReport } from './test-summary.js';

const root = path.resolve(import.meta.dirname, '..');
const reportPath = path.join(root, '.test-report.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

await rm(reportPath, { force: true });
const args = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportPath}`, ...process.argv.slice(2)];
const code: number = await new Promise((resolve) => {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

let report: JsonReport | undefined;
try { report = JSON.parse(await readFile(reportPath, 'utf8')) as JsonReport; } catch { /* reported below */ }
if (!report) {
  console.log(`vitest exited with ${code} and wrote no report`);
  console.log('0 passed, 1 failed');
  process.exit(code || 1);
}
const summary = summarizeReport(report);
console.log(summary.line);
process.exit(code !== 0 || summary.failed > 0 ? 1 : report.numTotalTests === 0 ? 1 : 0);
