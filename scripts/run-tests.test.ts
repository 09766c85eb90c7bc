// `npm test`'s temp-dir check, end to end: scripts/run-tests.ts on a two-file fixture suite, one
// file of which leaves a folder in the temp dir, must fail and name that folder.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../test/helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '..');

function runTests(args: string[], tmp: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/run-tests.ts'), ...args], {
      cwd: root, timeout: 60_000, env: { ...process.env, TMPDIR: tmp, FRAMEPACK_TEST_REPORT: path.join(tmp, 'report.json') },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
  });
}

describe('npm test temp-dir check', () => {
  it('fails a run whose tests pass but leave a folder in the temp dir, naming it', async () => {
    const tmp = testTempDir('fp-runtests-');
    const r = await runTests(['--config', 'scripts/fixtures/temp-leak/vitest.config.ts'], tmp);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the tests left 1 entry \(2\.9 KiB\) in the temp dir .*fpt-[^:]*:/);
    expect(r.out).toMatch(/fpt-\w+\/fp-leaky-\w+ \(2\.9 KiB\)/);
    expect(r.out).not.toContain('fp-tidy-');
    expect(r.out.trim().split('\n').at(-1)).toBe('2 passed, 1 failed');
    // The run's own temp folder is gone afterwards (only tsx's cache and the report remain).
    expect(readdirSync(tmp).filter((n) => n.startsWith('fpt-'))).toEqual([]);
  });

  it('passes a run that leaves nothing', async () => {
    const tmp = testTempDir('fp-runtests-');
    const r = await runTests(['--config', 'scripts/fixtures/temp-leak/vitest.config.ts', 'clean'], tmp);
    expect(r.out.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(tmp, 'report.json'))).toBe(true);
  });
});
