// Disk-full errors that say so: ENOSPC (or a quota's EDQUOT) from our own writes, or ffmpeg failing
// on a disk with next to nothing free, becomes RpcError DISK_FULL naming the file, the mount it is
// on, the bytes free and, when known, the bytes the write needed — never "ffprobe failed (exit 1)".
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { RpcError } from '../../shared/protocol/index.js';

/** After a failed encode, less free space than this on the output's disk is taken as the cause. */
export const LOW_SPACE_BYTES = 1 << 20;

const NO_SPACE_TEXT = /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/;

/** Whether an error (or ffmpeg's stderr) says the disk or the quota is full. */
export function isNoSpace(err: unknown, stderr = ''): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return NO_SPACE_TEXT.test(message) || NO_SPACE_TEXT.test(stderr);
}

/** The nearest existing folder at or above `p`. */
async function existingAncestor(p: string): Promise<string> {
  let dir = path.resolve(p);
  for (;;) {
    const st = await stat(dir).catch(() => null);
    if (st?.isDirectory()) return dir;
    const up = path.dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
}

/** The mount point holding `dir`: the highest ancestor on the same device. */
async function mountPointOf(dir: string): Promise<string> {
  let here = dir;
  const dev = (await stat(here)).dev;
  for (;;) {
    const up = path.dirname(here);
    if (up === here) return here;
    const st = await stat(up).catch(() => null);
    if (!st || st.dev !== dev) return here;
    here = up;
  }
}

export interface SpaceAt {
  mount: string;
  freeBytes: number;
}

/** Free bytes (for this user) on the filesystem holding `p`, and its mount point; null when unknown. */
export async function spaceAt(p: string): Promise<SpaceAt | null> {
  try {
    const dir = await existingAncestor(path.dirname(path.resolve(p)));
    const s = await statfs(dir);
    return { mount: await mountPointOf(dir), freeBytes: Number(s.bavail) * Number(s.bsize) };
  } catch {
    return null;
  }
}

/** 512 B, 1.5 KiB, 3.0 MiB, 2.00 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

/** The DISK_FULL error for a failed write of `file` (`neededBytes` when the write's size is known). */
export async function diskFullError(file: string, neededBytes: number | null, cause?: unknown): Promise<RpcError> {
  const space = await spaceAt(file);
  const where = space ? `the filesystem mounted at ${space.mount} has ${formatBytes(space.freeBytes)} free` : 'its filesystem is full';
  const need = neededBytes !== null ? `; the write needed ${formatBytes(neededBytes)}` : '';
  return new RpcError('DISK_FULL', `disk full: cannot write ${file}: ${where}${need}; free some space and submit the job again`, {
    cause,
    detail: { path: file, ...(space ? { mount: space.mount, freeBytes: space.freeBytes } : {}), ...(neededBytes !== null ? { neededBytes } : {}) },
  });
}

/** Rethrows `err` as DISK_FULL when it is an out-of-space error; otherwise returns nothing. */
export async function throwIfNoSpace(err: unknown, file: string, neededBytes: number | null): Promise<void> {
  if (isNoSpace(err)) throw await diskFullError(file, neededBytes, err);
}
