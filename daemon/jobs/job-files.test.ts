import { describe, expect, it } from 'vitest';
import { foldersToDelete, inputCopyName, ORPHAN_MIN_AGE_MS } from './job-files.js';

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
