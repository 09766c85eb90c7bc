import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../test/helpers/temp-dir.js';
import { describeLeftovers, diskBytes, linkSharedCaches, newEntries } from './temp-leftovers.js';

describe('temp-dir leftovers check', () => {
  it('lists only the entries that are new, sorted', () => {
    expect(newEntries(['tsx-0', 'a'], ['fp-st-x', 'a', 'tsx-0', 'fp-e2e-y'])).toEqual(['fp-e2e-y', 'fp-st-x']);
    expect(newEntries(['a'], ['a'])).toEqual([]);
  });

  it('names every leftover path with its size', () => {
    expect(describeLeftovers('/t', [])).toBe('');
    const text = describeLeftovers('/t', [{ name: 'fp-st-abc', bytes: 2048 }, { name: 'fp-pipeline-x', bytes: 3 * 1024 ** 2 }]);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'the tests left 2 entries (3.0 MiB) in the temp dir /t:',
      '  /t/fp-st-abc (2.0 KiB)',
      '  /t/fp-pipeline-x (3.0 MiB)',
    ]);
    expect(text).toContain('test/helpers/temp-dir.ts');
  });

  it('measures a folder tree and links an existing shared cache only', () => {
    const dir = testTempDir('fp-leftovers-');
    mkdirSync(path.join(dir, 'sys', 'tsx-7', 'deep'), { recursive: true });
    writeFileSync(path.join(dir, 'sys', 'tsx-7', 'deep', 'f'), Buffer.alloc(100));
    writeFileSync(path.join(dir, 'sys', 'g'), Buffer.alloc(20));
    expect(diskBytes(path.join(dir, 'sys'))).toBe(120);
    mkdirSync(path.join(dir, 'run'));
    linkSharedCaches(path.join(dir, 'sys'), path.join(dir, 'run'), 7);
    linkSharedCaches(path.join(dir, 'sys'), path.join(dir, 'run'), 8); // no tsx-8: nothing linked
    expect(readdirSync(path.join(dir, 'run'))).toEqual(['tsx-7']);
    expect(diskBytes(path.join(dir, 'run'))).toBeLessThan(100); // a link, not followed
  });
});
