// Temp folders for tests that are removed whatever the outcome: `npm test` fails when a run leaves
// anything in the temp dir (scripts/run-tests.ts), and an `rm` at the end of a test body is skipped
// when an assertion before it throws. Call fileTempDir at module or describe level (removed after
// the file's tests), testTempDir inside a test (removed when that test finishes).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

const remove = (dir: string) => () => rmSync(dir, { recursive: true, force: true });

/** A new folder under os.tmpdir(), removed after all tests of the calling file (or describe block). */
export function fileTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(remove(dir));
  return dir;
}

/** A new folder under os.tmpdir(), removed when the running test finishes, passed or failed. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(remove(dir));
  return dir;
}
