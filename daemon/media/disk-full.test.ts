import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskFullError, isNoSpace, spaceAt } from './disk-full.js';

describe('disk-full errors', () => {
  it('recognises ENOSPC/EDQUOT errors and ffmpeg stderr', () => {
    expect(isNoSpace(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isNoSpace(Object.assign(new Error('x'), { code: 'EDQUOT' }))).toBe(true);
    expect(isNoSpace(new Error('ffmpeg failed (exit 1)'), '[out#0/mp4] Error writing trailer: No space left on device')).toBe(true);
    expect(isNoSpace(new Error('ffmpeg failed (exit 1)'), 'Invalid data found when processing input')).toBe(false);
  });
  it('names the file, the mount, the free bytes and what was needed', async () => {
    const file = path.join(os.tmpdir(), 'no-such-dir', 'x.mp4');
    const space = await spaceAt(file);
    expect(space).not.toBeNull();
    expect(path.isAbsolute(space!.mount)).toBe(true);
    const err = await diskFullError(file, 3 << 20);
    expect(err.code).toBe('DISK_FULL');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(new RegExp(`^disk full: cannot write ${file}: the filesystem mounted at ${space!.mount} has .* free; the write needed 3\\.0 MiB`));
    expect(err.detail).toMatchObject({ path: file, mount: space!.mount, neededBytes: 3 << 20 });
  });
});
