// Atomic file replacement: write a hidden temp file in the same directory, fsync it, rename it over
// the target. Readers see either the old file or the complete new one, never a torn write.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

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
    throw err;
  }
}
