// Atomic file replacement: write a hidden temp file in the same directory, fsync it, rename it over
// the target. Readers see either the old file or the complete new one, never a torn write.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { throwIfNoSpace } from './disk-full.js';

/** A hidden, unique temp name in the target's own directory (rename is atomic only within one filesystem). */
export function tempPathBeside(targetPath: string): string {
  const dir = path.dirname(targetPath);
  return path.join(dir, `.${path.basename(targetPath)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** fsync a finished file so a crash after rename cannot leave a renamed but empty file. */
export async function fsyncFile(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `targetPath` atomically. */
export async function writeFileAtomic(targetPath: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPathBeside(targetPath);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, targetPath);
  } catch (err: unknown) {
    await rm(temp, { force: true });
    await throwIfNoSpace(err, targetPath, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
    throw err;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files {@link tempPathBeside} left for targets in `dir` whose name passes `forTarget`,
 * written by a process that is gone (a crash mid-write) or by this one (no write of ours is in flight
 * for a job that is only starting). Returns the removed paths.
 */
export async function removeStaleTemps(dir: string, forTarget: (targetName: string) => boolean): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = /^\.(.+)\.(\d+)-[0-9a-f]{8}\.tmp$/.exec(name);
    if (!m || !forTarget(m[1]!)) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && pidAlive(pid)) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(path.join(dir, name));
  }
  return removed;
}
