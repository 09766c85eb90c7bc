import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInputSize, copyInput, foldersToDelete, inputCopyName, ORPHAN_MIN_AGE_MS } from './job-files.js';

const H = 3_600_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

describe('foldersToDelete', () => {
  const jobs = new Map([
    ['done-old', { state: 'succeeded' as const, finishedAt: at(25 * H) }],
    ['done-new', { state: 'failed' as const, finishedAt: at(1 * H) }],
    ['cancelled-old', { state: 'cancelled' as const, finishedAt: at(48 * H) }],
    ['queued', { state: 'queued' as const, finishedAt: null }],
    ['running', { state: 'running' as const, finishedAt: null }],
  ]);
  const folders = [...jobs.keys(), 'orphan-old', 'orphan-new'].map((name) => ({
    name, mtimeMs: name === 'orphan-new' ? NOW - 60_000 : NOW - 100 * H,
  }));
  it('deletes ended jobs past the retention and old orphans, never queued or running ones', () => {
    expect(foldersToDelete(folders, jobs, 24 * H, NOW)).toEqual(['done-old', 'cancelled-old', 'orphan-old']);
  });
  it('0 deletes every ended job at once but leaves a fresh orphan (a submit may be copying into it)', () => {
    expect(foldersToDelete(folders, jobs, 0, NOW)).toEqual(['done-old', 'done-new', 'cancelled-old', 'orphan-old']);
    expect(ORPHAN_MIN_AGE_MS).toBeGreaterThan(60_000);
  });
  it('-1 keeps everything', () => {
    expect(foldersToDelete(folders, jobs, -1, NOW)).toEqual([]);
  });
});

describe('inputCopyName', () => {
  it('keeps a clean lower-case extension', () => {
    expect(inputCopyName('/a/B.PNG')).toBe('input.png');
    expect(inputCopyName('/a/noext')).toBe('input.img');
    expect(inputCopyName('/a/x.p$n g')).toBe('input.png');
  });
});

describe('checkInputSize / copyInput', () => {
  it('refuses a FIFO or a device instead of blocking on it, and an image over the limit', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-jobfiles-'));
    try {
      const fifo = path.join(dir, 'in.png');
      execFileSync('mkfifo', [fifo]);
      await expect(checkInputSize(fifo, 1 << 20)).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/is not a regular file/) });
      await expect(copyInput('/dev/zero', path.join(dir, 'job'), 1 << 20)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      const big = path.join(dir, 'big.png');
      writeFileSync(big, Buffer.alloc(2048));
      await expect(copyInput(big, path.join(dir, 'job2'), 1024)).rejects.toMatchObject({ message: expect.stringMatching(/is 2\.0 KiB \(2048 bytes\); the daemon copies start images up to 1\.0 KiB/) });
      expect(await copyInput(big, path.join(dir, 'job3'), 4096)).toBe(path.join(dir, 'job3', 'input.png'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
