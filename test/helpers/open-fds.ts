// Which of the given files this process still holds open, read from /proc/self/fd (Linux only):
// a FileHandle left to the garbage collector shows up here until it is collected, and then
// costs a DEP0137 warning in whatever process leaked it.
import { readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

export const canListOpenFds = process.platform === 'linux';

export async function openFdsTo(filePaths: string[]): Promise<string[]> {
  const wanted = new Set(await Promise.all(filePaths.map((f) => realpath(f).catch(() => path.resolve(f)))));
  const held: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(path.join('/proc/self/fd', fd)).catch(() => '');
    if (wanted.has(target)) held.push(target);
  }
  return held;
}
